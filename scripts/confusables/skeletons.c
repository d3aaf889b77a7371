// Prints the UTS #39 skeleton of every Unicode scalar whose skeleton is not itself, one line each:
// "<scalar hex>\t<skeleton scalars hex, space separated>". ICU's uspoof implements UTS #39 from the
// Unicode confusables data; scripts/confusables/table.py turns this into Warden's lookup table.
#include <stdio.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

int main(void) {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *checker = uspoof_open(&status);
    if (U_FAILURE(status)) { fprintf(stderr, "uspoof_open: %s\n", u_errorName(status)); return 1; }
    for (UChar32 c = 0x21; c <= 0x10FFFF; c++) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        UChar in[2], out[64];
        int32_t inLength = 0;
        UBool error = 0;
        U16_APPEND(in, inLength, 2, c, error);
        status = U_ZERO_ERROR;
        int32_t length = uspoof_getSkeleton(checker, 0, in, inLength, out, 64, &status);
        if (U_FAILURE(status)) continue;
        if (length == inLength && out[0] == in[0] && (inLength == 1 || out[1] == in[1])) continue;
        printf("%X\t", (unsigned)c);
        for (int32_t i = 0; i < length;) {
            UChar32 s;
            U16_NEXT(out, i, length, s);
            printf(i < length ? "%X " : "%X", (unsigned)s);
        }
        printf("\n");
    }
    printf("# ICU %s, Unicode %s\n", U_ICU_VERSION, U_UNICODE_VERSION);
    uspoof_close(checker);
    return 0;
}
