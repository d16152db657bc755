/* twinpathctl's answers as text or JSON from one call per value: each show
 * command is written once, as a walk over its values, and every value
 * carries both its JSON key and its text format, so the two outputs cannot
 * drift apart (a field added to one and forgotten in the other).
 *
 * Text is printed as it comes, in call order; JSON is streamed (a million
 * routes never sit in a tree), objects and arrays nested with
 * render_obj/render_arr ... render_end. A value's text format is a printf
 * format for that one value, checked by the compiler (the macros below pass
 * it through printf's format checking without calling it). */
#ifndef TWP_RENDER_H
#define TWP_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#define RENDER_DEPTH 8

struct render {
	FILE *f;
	bool json;
	unsigned int depth;
	bool more[RENDER_DEPTH + 1]; /* a member already written at depth */
	char close[RENDER_DEPTH + 1]; /* '}' or ']' ending depth */
};

void render_init(struct render *r, FILE *f, bool json);

/* JSON structure (text ignores it). KEY is the member name inside an
 * object, NULL for an array element or the answer itself. The outermost
 * render_end ends the JSON answer with a newline. */
void render_obj(struct render *r, const char *key);
void render_arr(struct render *r, const char *key);
void render_end(struct render *r);

/* Text only: headers, labels, separators, layout. */
void render_text(struct render *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* JSON only: null. */
void render_null(struct render *r, const char *key);

/* The writers behind the macros; FMT NULL means JSON only. */
void render_uint_(struct render *r, const char *key, const char *fmt,
		  unsigned long long v);
void render_int_(struct render *r, const char *key, const char *fmt,
		 long long v);
void render_real_(struct render *r, const char *key, unsigned int decimals,
		  const char *fmt, double v);
void render_str_(struct render *r, const char *key, const char *fmt,
		 const char *s, const char *alt);
void render_bool(struct render *r, const char *key, bool v,
		 const char *text_true, const char *text_false);

/* FMT in the text only when C, else the value is in the JSON only: for
 * the FMT argument of the macros below (a NULL literal there would fail
 * their check; FMT itself is still checked). */
static inline const char *render_no_text_(void)
{
	return NULL;
}
#define RENDER_TEXT_IF(c, fmt) ((c) ? (fmt) : render_no_text_())

/* FMT's one conversion checked against V's type at compile time. */
#define RENDER_FMT_(fmt, v) ((void)sizeof(printf(fmt, v)))

/* An unsigned number: "key":V in JSON, FMT (one %llu conversion) in
 * text. render_ju: JSON only. */
#define render_u(r, key, fmt, v)                                         \
	(RENDER_FMT_(fmt, (unsigned long long)(v)),                      \
	 render_uint_(r, key, fmt, (unsigned long long)(v)))
#define render_ju(r, key, v) render_uint_(r, key, NULL, (unsigned long long)(v))

/* A signed number (%lld). */
#define render_i(r, key, fmt, v)                                         \
	(RENDER_FMT_(fmt, (long long)(v)), render_int_(r, key, fmt, (long long)(v)))
#define render_ji(r, key, v) render_int_(r, key, NULL, (long long)(v))

/* A real number, JSON with DEC decimals (null if not finite), text with
 * FMT (one %f-like conversion). */
#define render_f(r, key, dec, fmt, v)                                    \
	(RENDER_FMT_(fmt, (double)(v)), render_real_(r, key, dec, fmt, (double)(v)))
#define render_jf(r, key, dec, v) render_real_(r, key, dec, NULL, (double)(v))

/* A string: JSON escaped, text through FMT (one %s). S NULL is JSON's
 * null; render_sn prints ALT in its place in text. */
#define render_s(r, key, fmt, s)                                         \
	(RENDER_FMT_(fmt, (const char *)(s)), render_str_(r, key, fmt, s, ""))
#define render_sn(r, key, fmt, s, alt)                                   \
	(RENDER_FMT_(fmt, (const char *)(alt)), render_str_(r, key, fmt, s, alt))
#define render_js(r, key, s) render_str_(r, key, NULL, s, NULL)

#endif
