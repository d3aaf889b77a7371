#ifndef WARDEN_FUZZ_DRIVER_H
#define WARDEN_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the runtime that -sanitize=fuzzer links): runs `callback` over generated inputs
/// as libFuzzer's own main would, with the same command-line flags.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Starts libFuzzer with the process's arguments.
int warden_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
