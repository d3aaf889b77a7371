#ifndef WARDEN_CPCRE2_SHIM_H
#define WARDEN_CPCRE2_SHIM_H
// Swift imports only the width-suffixed names (pcre2_compile_8, ...) once the width is fixed.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

// Macros that Swift does not import.
static const size_t warden_pcre2_zero_terminated = PCRE2_ZERO_TERMINATED;
static const size_t warden_pcre2_unset = PCRE2_UNSET;
#endif
