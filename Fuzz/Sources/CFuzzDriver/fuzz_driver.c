#include "fuzz_driver.h"

// SwiftPM gives an executable an entry point of its own (main.swift), which calls this. Each target also
// exports LLVMFuzzerTestOneInput, because the linker brings libFuzzer's own main (which calls it) along.
int warden_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
