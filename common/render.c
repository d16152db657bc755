/* One walk, two outputs: text as twinpathctl prints it for a person, JSON
 * for scripts and tests (render.h). */
#include <math.h>
#include <stdarg.h>

#include "render.h"

void render_init(struct render *r, FILE *f, bool json)
{
	r->f = f;
	r->json = json;
	r->depth = 0;
	r->more[0] = false;
}

/* S as a JSON string: quotes, backslashes and control characters escaped.
 * The characters between two escapes go out in one fwrite (a full
 * table's `show routes` is some 100 MB of JSON: one locked fputc a
 * character was most of twinpathd's time on it). */
static void json_string(FILE *f, const char *s)
{
	const char *run = s;

	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			continue;
		fwrite(run, 1, (size_t)(s - run), f);
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fprintf(f, "\\u%04x", *s);
		run = s + 1;
	}
	fwrite(run, 1, (size_t)(s - run), f);
	fputc('"', f);
}

/* The separator and the member name before a JSON value. */
static void member(struct render *r, const char *key)
{
	if (r->more[r->depth])
		fputc(',', r->f);
	r->more[r->depth] = true;
	if (key != NULL && r->depth > 0) {
		json_string(r->f, key);
		fputc(':', r->f);
	}
}

static void nest(struct render *r, const char *key, char o, char c)
{
	if (!r->json)
		return;
	member(r, key);
	fputc(o, r->f);
	/* deeper than any answer is written: stays flat, still valid */
	if (r->depth < RENDER_DEPTH)
		r->depth++;
	r->more[r->depth] = false;
	r->close[r->depth] = c;
}

void render_obj(struct render *r, const char *key)
{
	nest(r, key, '{', '}');
}

void render_arr(struct render *r, const char *key)
{
	nest(r, key, '[', ']');
}

void render_end(struct render *r)
{
	if (!r->json || r->depth == 0)
		return;
	fputc(r->close[r->depth], r->f);
	if (--r->depth == 0) {
		fputc('\n', r->f);
		r->more[0] = false;
	}
}

void render_text(struct render *r, const char *fmt, ...)
{
	va_list ap;

	if (r->json)
		return;
	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
}

void render_null(struct render *r, const char *key)
{
	if (!r->json)
		return;
	member(r, key);
	fputs("null", r->f);
}

void render_uint_(struct render *r, const char *key, const char *fmt,
		  unsigned long long v)
{
	if (r->json) {
		member(r, key);
		fprintf(r->f, "%llu", v);
	} else if (fmt != NULL) {
		fprintf(r->f, fmt, v);
	}
}

void render_int_(struct render *r, const char *key, const char *fmt,
		 long long v)
{
	if (r->json) {
		member(r, key);
		fprintf(r->f, "%lld", v);
	} else if (fmt != NULL) {
		fprintf(r->f, fmt, v);
	}
}

void render_real_(struct render *r, const char *key, unsigned int decimals,
		  const char *fmt, double v)
{
	if (r->json) {
		member(r, key);
		/* JSON has no NaN or infinity */
		if (isfinite(v))
			fprintf(r->f, "%.*f", (int)decimals, v);
		else
			fputs("null", r->f);
	} else if (fmt != NULL) {
		fprintf(r->f, fmt, v);
	}
}

void render_str_(struct render *r, const char *key, const char *fmt,
		 const char *s, const char *alt)
{
	if (r->json) {
		member(r, key);
		if (s != NULL)
			json_string(r->f, s);
		else
			fputs("null", r->f);
	} else if (fmt != NULL && (s != NULL || alt != NULL)) {
		fprintf(r->f, fmt, s != NULL ? s : alt);
	}
}

void render_bool(struct render *r, const char *key, bool v,
		 const char *text_true, const char *text_false)
{
	const char *t = v ? text_true : text_false;

	if (r->json) {
		member(r, key);
		fputs(v ? "true" : "false", r->f);
	} else if (t != NULL) {
		fputs(t, r->f);
	}
}
