/* A fuzz harness without libFuzzer: replays files through
 * LLVMFuzzerTestOneInput with its invariants, built with the project's
 * compiler as the unit tests fuzz_*_replay (one per harness). Arguments are files or
 * directories (every regular file in them, in name order, but dot files
 * and README*). It fails on a violated invariant (the harness aborts,
 * after naming the file) or when no input was replayed; with
 * --every-outcome first (the unit test), also when the inputs together
 * no longer reach every outcome the harness names (fuzz_replay_summary:
 * for fuzz_fwd, forwarded, fragmented, dropped, answered with ICMP,
 * withheld an ICMP error, forwarded IPv6): a corpus that no longer
 * reaches those paths is a test that can no longer fail.
 *   fuzz_fwd_replay --every-outcome tests/fuzz/corpus/fuzz_fwd
 *   fuzz_fwd_replay crash-0123abcd... (a finding of make fuzz) */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define INPUT_MAX (1u << 20)

static unsigned int replayed;

static int replay_file(const char *path)
{
	static uint8_t buf[INPUT_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "replay: %s: unreadable or over %u bytes\n",
			path, INPUT_MAX);
		fclose(f);
		return -1;
	}
	fclose(f);
	printf("replay: %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	replayed++;
	return 0;
}

static int skip(const struct dirent *e)
{
	return e->d_name[0] != '.' && strncmp(e->d_name, "README", 6) != 0;
}

static int replay_path(const char *path)
{
	char file[PATH_MAX];
	struct dirent **list;
	struct stat sb;
	int n, i, rc = 0;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(path);
	n = scandir(path, &list, skip, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, list[i]->d_name);
		if (rc == 0 && stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = replay_file(file);
		free(list[i]);
	}
	free(list);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1, every;

	every = argc > 1 && strcmp(argv[1], "--every-outcome") == 0;
	if (argc < 2 + every) {
		fprintf(stderr, "usage: %s [--every-outcome] FILE|DIR...\n",
			argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1 + every; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			return 1;
	printf("replay: %u inputs\n", replayed);
	if (replayed == 0) {
		fprintf(stderr, "replay: no input\n");
		return 1;
	}
	if (fuzz_replay_summary(every) != 0) {
		fprintf(stderr, "replay: the inputs no longer reach every "
			"outcome (see the counts above)\n");
		return 1;
	}
	return 0;
}
