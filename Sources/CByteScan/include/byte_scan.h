#ifndef BYTE_SCAN_H
#define BYTE_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// What a run of printable ASCII bytes held, added to by `byte_scan_printable`.
typedef struct {
    /// Spaces (0x20) taken.
    size_t spaces;
    /// Nonzero once a digit was taken.
    int digit;
    /// Nonzero once a space was taken right after another space.
    int double_space;
    /// Nonzero when the last byte taken was a space.
    int previous_space;
} byte_scan_run;

/// Takes the printable ASCII bytes (0x20...0x7E) of bytes[from..<count] up to the first other
/// byte, adding what they hold to `run`; returns the index of that byte, or `count`.
size_t byte_scan_printable(const uint8_t *bytes, size_t from, size_t count, byte_scan_run *run);

/// The index of the first byte of bytes[from..<count] that a JSON string writer must look at: a
/// byte below 0x20, '"', '\\' or 0xE2 (the lead byte of U+2028 and U+2029); `count` when none.
size_t byte_scan_json_stop(const uint8_t *bytes, size_t from, size_t count);

/// Fills one bit per byte of bytes[0..<count] (bit i % 64 of element i / 64; bits past `count`
/// clear) in the (count + 63) / 64 elements of each map: `word`, the ASCII letters and digits;
/// `joiner`, the ASCII bytes from '\'' to '-' and every byte from 0x80 up; `non_ascii`, the bytes
/// from 0x80 up. Returns nonzero when there are bytes from 0x80 up.
int byte_scan_word_bitmaps(
    const uint8_t *bytes, size_t count, uint64_t *word, uint64_t *joiner, uint64_t *non_ascii);

/// Nonzero when bytes[0..<count] are all ASCII (below 0x80).
int byte_scan_is_ascii(const uint8_t *bytes, size_t count);

/// Counts the bytes of bytes[0..<count] below 0x20 other than tab, line feed, form feed and
/// carriage return (`controls`), and whether any of them is NUL (`nul`, nonzero if so).
void byte_scan_controls(const uint8_t *bytes, size_t count, size_t *controls, int *nul);

/* SimHash's eight-lane word and shingle hashing (simhash_lanes.c). Included here too, so that a
   build made before that header existed notices the module changed. */
#include "simhash_lanes.h"

#endif
