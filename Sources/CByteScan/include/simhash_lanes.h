#ifndef SIMHASH_LANES_H
#define SIMHASH_LANES_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when the CPU has AVX-512 F and DQ (64-bit lane multiplies), and is of a generation
/// that runs them at full clock (Ice Lake, Zen 4 and later: those with VBMI2), so that the
/// functions below hash eight words or shingles at once; they must not be called otherwise.
int simhash_lanes_available(void);

/// FNV-1a (64-bit) of each of `n` ASCII words of the same `length` (1...16 bytes), each byte taken
/// with bit 5 set (lowercase letters, digits unchanged). Entry `i` is `start << 16 | index`: the
/// word is text[start ..< start + length] (all within `count`), its hash goes to `hashes[index]`.
void simhash_lanes_hash_words(
    const uint8_t *text, size_t count, const uint64_t *entries, size_t n, size_t length, uint64_t *hashes);

/// Replaces words[0 ..< n] (n >= 3) with the hashes of their 3-shingles, in place: shingle k is
/// FNV-1a over words k, k+1 and k+2 as whole 64-bit values, finished with a 64-bit mix. Returns
/// n - 2.
size_t simhash_lanes_shingles(uint64_t *words, size_t n);

#endif
