#ifndef SIMHASH_LANES_H
#define SIMHASH_LANES_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when the CPU has AVX-512 F and DQ (64-bit lane multiplies), and is of a generation
/// that runs them at full clock (Ice Lake, Zen 4 and later: those with VBMI2), so that the
/// functions below hash eight words or shingles at once; they must not be called otherwise.
int simhash_lanes_available(void);

/// FNV-1a (64-bit) of ASCII words of the same `length` (1...16 bytes), each byte taken with bit 5
/// set (lowercase letters, digits unchanged), eight at a time. Entry `i` of `entries[0 ..< n]` is
/// `start << 16 | index`: the word is text[start ..< start + length] (within `count`), its hash
/// goes to `hashes[index]`. Hashes whole groups of eight, in order, up to the first group with a
/// word too close to the end of the text for 8-byte loads; returns how many entries it hashed
/// (a multiple of eight). The caller hashes the rest.
size_t simhash_lanes_hash_words(
    const uint8_t *text, size_t count, const uint64_t *entries, size_t n, size_t length, uint64_t *hashes);

/// Replaces words[k] with the hash of the 3-shingle words[k], words[k + 1], words[k + 2] (FNV-1a
/// over the three 64-bit values, finished with a 64-bit mix), eight shingles at a time, for k
/// from 0 up to a multiple of eight at most n - 2; returns that multiple. The caller makes the
/// shingles from there on, from the words it left in place.
size_t simhash_lanes_shingles(uint64_t *words, size_t n);

#endif
