/* JSON string output for twinpathctl's answers (cli.c, bgp/show.c). */
#ifndef TWP_JSON_H
#define TWP_JSON_H

#include <stdio.h>

/* S as a JSON string: quotes, backslashes and control characters escaped. */
static inline void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

#endif
