/* common/render.c: one walk gives the exact text and the exact JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render.h"

/* A small answer with every kind of value: a header, a table of two rows
 * and values that exist in only one of the two outputs. */
static void walk(struct render *r)
{
	static const char *const names[] = {"link1", "li\"nk\\2\n"};
	unsigned int i;

	render_obj(r, NULL);
	render_s(r, "instance", "instance %s\n", "lab");
	render_ju(r, "generation", 42);
	render_i(r, "age_ms", "age %lld ms\n", -1);
	render_f(r, "uptime_s", 1, "up %.2f s\n", 12.345);
	render_jf(r, "ratio", 3, 0.0 / 0.0);
	render_text(r, "%-8s %s\n", "NAME", "MAC");
	render_arr(r, "links");
	for (i = 0; i < 2; i++) {
		render_obj(r, NULL);
		render_s(r, "name", "%-8s ", names[i]);
		render_sn(r, "mac", "%s\n", i == 0 ? "02:00:00:00:00:01" : NULL,
			  "incomplete");
		render_bool(r, "resolved", i == 0, NULL, NULL);
		render_arr(r, "communities");
		render_js(r, NULL, "65535:0");
		render_js(r, NULL, NULL);
		render_end(r);
		render_null(r, "last_error");
		render_end(r);
	}
	render_end(r);
	render_bool(r, "in_sync", true, "in sync\n", "pending\n");
	render_u(r, "routes", "%llu routes\n", 7u);
	render_end(r);
}

static char *run(bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct render r;

	assert_non_null(f);
	render_init(&r, f, json);
	walk(&r);
	fclose(f);
	return buf;
}

static void test_render_text_follows_the_formats_in_call_order(void **state)
{
	char *t = run(false);

	(void)state;
	assert_string_equal(t, "instance lab\n"
			       "age -1 ms\n"
			       "up 12.35 s\n"
			       "NAME     MAC\n"
			       "link1    02:00:00:00:00:01\n"
			       "li\"nk\\2\n incomplete\n"
			       "in sync\n"
			       "7 routes\n");
	free(t);
}

static void test_render_json_escapes_nests_and_writes_null(void **state)
{
	char *j = run(true);

	(void)state;
	assert_string_equal(j, "{\"instance\":\"lab\",\"generation\":42,"
			       "\"age_ms\":-1,\"uptime_s\":12.3,\"ratio\":null,"
			       "\"links\":[{\"name\":\"link1\",\"mac\":"
			       "\"02:00:00:00:00:01\",\"resolved\":true,"
			       "\"communities\":[\"65535:0\",null],"
			       "\"last_error\":null},{\"name\":"
			       "\"li\\\"nk\\\\2\\u000a\",\"mac\":null,"
			       "\"resolved\":false,\"communities\":"
			       "[\"65535:0\",null],\"last_error\":null}],"
			       "\"in_sync\":true,\"routes\":7}\n");
	free(j);
}

/* Two answers on one stream (the CLI writes one per request): the second
 * starts without a separator. */
static void test_render_second_answer_starts_clean(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct render r;

	(void)state;
	assert_non_null(f);
	render_init(&r, f, true);
	render_arr(&r, NULL);
	render_ju(&r, NULL, 1);
	render_end(&r);
	render_obj(&r, NULL);
	render_ju(&r, "a", 2);
	render_end(&r);
	fclose(f);
	assert_string_equal(buf, "[1]\n{\"a\":2}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_text_follows_the_formats_in_call_order),
		cmocka_unit_test(test_render_json_escapes_nests_and_writes_null),
		cmocka_unit_test(test_render_second_answer_starts_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
