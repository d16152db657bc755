/* Flow hash: the functions are static inline in flowhash.h, called once
 * per forwarded packet; this unit keeps the header compiling on its own
 * (dp_core builds it). */
#include "flowhash.h"
