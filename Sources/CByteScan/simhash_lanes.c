// SimHash's word and shingle hashing eight lanes at a time with AVX-512 (F for the lanes, DQ for
// 64-bit multiplies). FNV-1a is one multiply per byte, each waiting for the one before, so a word
// is a chain of multiplies; scalar code overlaps the chains of a few words, these overlap eight in
// one instruction. The results are the scalar code's, bit for bit; the scalar code (SimHash.swift)
// does what these leave: the words near the end of the text, the last shingles, other CPUs.
#include "simhash_lanes.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define MIX 0xff51afd7ed558ccdull

#if defined(__x86_64__)
#include <immintrin.h>

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;  // x86-64 is little-endian: the first byte is the lowest lane
}

// AVX-512 F and DQ are what the code uses. VBMI2 stands for the generation: CPUs from Ice Lake
// and Zen 4 on have it, and run 512-bit multiplies without lowering the core's clock, which
// Skylake-SP and Cascade Lake (without VBMI2) do for everything else the core runs too.
int simhash_lanes_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vbmi2");
}

__attribute__((target("avx512f,avx512dq")))
size_t simhash_lanes_hash_words(
    const uint8_t *text, size_t count, const uint64_t *entries, size_t n, size_t length, uint64_t *hashes) {
    const __m512i fold = _mm512_set1_epi64(0x2020202020202020ll);
    const __m512i low_byte = _mm512_set1_epi64(0xFF);
    const __m512i prime = _mm512_set1_epi64((long long)FNV_PRIME);
    const size_t blocks = length > 8 ? 2 : 1;
    size_t i = 0;
    // Whole groups of eight, up to the first group in which a word starts less than 8 * blocks
    // bytes before the end of the text (so that every load is within it).
    const long long last_start = (long long)count - (long long)(8 * blocks);
    for (; i + 8 <= n && last_start >= 0; i += 8) {
        __m512i starts = _mm512_srli_epi64(_mm512_loadu_si512(entries + i), 16);
        if (_mm512_cmpgt_epu64_mask(starts, _mm512_set1_epi64(last_start)) != 0) break;
        size_t start[8];
        for (int lane = 0; lane < 8; lane++) start[lane] = (size_t)(entries[i + lane] >> 16);
        // Built from scalar loads, not a gather (slow on some CPUs), nor stored to memory and then
        // loaded as a vector (which cannot be forwarded from the stores).
        __m512i first = _mm512_set_epi64(
            (long long)load64(text + start[7]), (long long)load64(text + start[6]), (long long)load64(text + start[5]),
            (long long)load64(text + start[4]), (long long)load64(text + start[3]), (long long)load64(text + start[2]),
            (long long)load64(text + start[1]), (long long)load64(text + start[0]));
        __m512i hash = _mm512_set1_epi64((long long)FNV_OFFSET);
        __m512i lanes = _mm512_or_si512(first, fold);
        size_t steps = length < 8 ? length : 8;
        for (size_t step = 0; step < steps; step++) {
            hash = _mm512_mullo_epi64(_mm512_xor_si512(hash, _mm512_and_si512(lanes, low_byte)), prime);
            lanes = _mm512_srli_epi64(lanes, 8);
        }
        if (blocks == 2) {
            __m512i second = _mm512_set_epi64(
                (long long)load64(text + start[7] + 8), (long long)load64(text + start[6] + 8),
                (long long)load64(text + start[5] + 8), (long long)load64(text + start[4] + 8),
                (long long)load64(text + start[3] + 8), (long long)load64(text + start[2] + 8),
                (long long)load64(text + start[1] + 8), (long long)load64(text + start[0] + 8));
            lanes = _mm512_or_si512(second, fold);
            for (size_t step = 8; step < length; step++) {
                hash = _mm512_mullo_epi64(_mm512_xor_si512(hash, _mm512_and_si512(lanes, low_byte)), prime);
                lanes = _mm512_srli_epi64(lanes, 8);
            }
        }
        uint64_t out[8];
        _mm512_storeu_si512(out, hash);
        for (int lane = 0; lane < 8; lane++) hashes[entries[i + lane] & 0xFFFF] = out[lane];
    }
    return i;
}

__attribute__((target("avx512f,avx512dq")))
size_t simhash_lanes_shingles(uint64_t *words, size_t n) {
    const __m512i prime = _mm512_set1_epi64((long long)FNV_PRIME);
    const __m512i mix = _mm512_set1_epi64((long long)MIX);
    const __m512i offset = _mm512_set1_epi64((long long)FNV_OFFSET);
    size_t shingles = n - 2;
    size_t k = 0;
    // Shingle k overwrites word k; the vector reads words k ..< k + 10 before writing k ..< k + 8,
    // and later shingles read only words from k + 8 on.
    for (; k + 8 <= shingles; k += 8) {
        __m512i a = _mm512_loadu_si512(words + k);
        __m512i b = _mm512_loadu_si512(words + k + 1);
        __m512i c = _mm512_loadu_si512(words + k + 2);
        __m512i hash = _mm512_mullo_epi64(_mm512_xor_si512(offset, a), prime);
        hash = _mm512_mullo_epi64(_mm512_xor_si512(hash, b), prime);
        hash = _mm512_mullo_epi64(_mm512_xor_si512(hash, c), prime);
        hash = _mm512_xor_si512(hash, _mm512_srli_epi64(hash, 33));
        hash = _mm512_mullo_epi64(hash, mix);
        hash = _mm512_xor_si512(hash, _mm512_srli_epi64(hash, 33));
        _mm512_storeu_si512(words + k, hash);
    }
    return k;
}

#else

int simhash_lanes_available(void) { return 0; }

size_t simhash_lanes_hash_words(
    const uint8_t *text, size_t count, const uint64_t *entries, size_t n, size_t length, uint64_t *hashes) {
    return 0;
}

size_t simhash_lanes_shingles(uint64_t *words, size_t n) { return 0; }

#endif
