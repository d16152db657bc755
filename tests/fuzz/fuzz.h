/* What every harness of tests/fuzz/ provides: libFuzzer's two entry
 * points, and the summary replay.c prints and checks after replaying the
 * corpus (the unit suite's fuzz_*_replay tests). */
#ifndef TWP_FUZZ_H
#define TWP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* After the replay of every input: prints what they reached and, with
 * EVERY (--every-outcome), returns -1 when the inputs together no longer
 * reach each outcome the harness names (a corpus that stopped reaching
 * a path is a test that can no longer fail); else 0. */
int fuzz_replay_summary(bool every);

#endif
