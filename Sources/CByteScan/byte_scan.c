// Byte-class scans of text, sixteen bytes at a time with SSE2 (part of every x86-64 CPU), one
// byte at a time elsewhere. Swift has no portable way to turn a vector comparison into a bit
// mask (PMOVMSKB), hence C.
#include "byte_scan.h"

#include <string.h>

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define BYTE_SCAN_SSE2 1
#endif

static inline int is_printable(uint8_t b) { return b >= 0x20 && b < 0x7F; }

static inline void take_printable(uint8_t b, byte_scan_run *run) {
    if (b == 0x20) {
        if (run->previous_space) run->double_space = 1;
        run->spaces += 1;
        run->previous_space = 1;
    } else {
        if ((uint8_t)(b - '0') < 10) run->digit = 1;
        run->previous_space = 0;
    }
}

size_t byte_scan_printable(const uint8_t *bytes, size_t from, size_t count, byte_scan_run *run) {
    size_t i = from;
#ifdef BYTE_SCAN_SSE2
    const __m128i below_space = _mm_set1_epi8(0x1F), del = _mm_set1_epi8(0x7F), space = _mm_set1_epi8(0x20);
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    // Whole blocks add their spaces per lane (a space lane compares as -1) and their digit lanes
    // into vectors, summed once at the end: no bit counting per block.
    __m128i lane_spaces = _mm_setzero_si128(), digit_lanes = _mm_setzero_si128();
    unsigned blocks = 0, digits = 0, double_space = 0, previous = run->previous_space ? 1u : 0u;
    size_t spaces = run->spaces;
    while (i + 16 <= count) {
        __m128i b = _mm_loadu_si128((const __m128i *)(bytes + i));
        // Signed: bytes from 0x80 up are negative, so "greater than 0x1F" is 0x20...0x7F.
        __m128i printable = _mm_andnot_si128(_mm_cmpeq_epi8(b, del), _mm_cmpgt_epi8(b, below_space));
        unsigned stop = ~(unsigned)_mm_movemask_epi8(printable) & 0xFFFFu;
        __m128i is_space = _mm_cmpeq_epi8(b, space);
        unsigned space_mask = (unsigned)_mm_movemask_epi8(is_space);
        __m128i d = _mm_sub_epi8(b, zero);
        __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
        if (stop != 0) {
            unsigned taken = (unsigned)__builtin_ctz(stop);  // the lanes before the first stop
            unsigned take = (1u << taken) - 1u;
            space_mask &= take;
            spaces += (size_t)__builtin_popcount(space_mask);
            digits |= (unsigned)_mm_movemask_epi8(is_digit) & take;
            double_space |= space_mask & (space_mask << 1 | previous);
            if (taken > 0) previous = (space_mask >> (taken - 1)) & 1u;
            i += taken;
            goto done;
        }
        lane_spaces = _mm_sub_epi8(lane_spaces, is_space);
        digit_lanes = _mm_or_si128(digit_lanes, is_digit);
        double_space |= space_mask & (space_mask << 1 | previous);
        previous = space_mask >> 15;
        i += 16;
        if (++blocks == 255) {  // before a lane can wrap
            __m128i sums = _mm_sad_epu8(lane_spaces, _mm_setzero_si128());
            spaces += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
            lane_spaces = _mm_setzero_si128();
            blocks = 0;
        }
    }
done:;
    __m128i sums = _mm_sad_epu8(lane_spaces, _mm_setzero_si128());
    spaces += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    digits |= (unsigned)_mm_movemask_epi8(digit_lanes);
    run->spaces = spaces;
    if (digits) run->digit = 1;
    if (double_space) run->double_space = 1;
    run->previous_space = (int)previous;
    if (i + 16 <= count) return i;  // stopped inside a block
#endif
    while (i < count && is_printable(bytes[i])) {
        take_printable(bytes[i], run);
        i += 1;
    }
    return i;
}

static inline int is_json_stop(uint8_t b) { return b < 0x20 || b == '"' || b == '\\' || b == 0xE2; }

size_t byte_scan_json_stop(const uint8_t *bytes, size_t from, size_t count) {
    size_t i = from;
#ifdef BYTE_SCAN_SSE2
    const __m128i below_space = _mm_set1_epi8(0x1F), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i lead = _mm_set1_epi8((char)0xE2);
    while (i + 16 <= count) {
        __m128i b = _mm_loadu_si128((const __m128i *)(bytes + i));
        __m128i stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(b, below_space), b), _mm_cmpeq_epi8(b, quote)),
            _mm_or_si128(_mm_cmpeq_epi8(b, backslash), _mm_cmpeq_epi8(b, lead)));
        unsigned mask = (unsigned)_mm_movemask_epi8(stops);
        if (mask != 0) return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i < count && !is_json_stop(bytes[i])) i += 1;
    return i;
}

static inline int is_word_byte(uint8_t b) {
    return (uint8_t)((b | 0x20) - 'a') < 26 || (uint8_t)(b - '0') < 10;
}

/// The three maps of 64 bytes (fewer at the end: the rest read as zero, which is in no class).
static void word_bitmaps_chunk(const uint8_t *p, uint64_t *word, uint64_t *joiner, uint64_t *non_ascii) {
#ifdef BYTE_SCAN_SSE2
    const __m128i lower = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a'), z_span = _mm_set1_epi8(25);
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    const __m128i apostrophe = _mm_set1_epi8('\''), joiner_span = _mm_set1_epi8('-' - '\'');
    uint64_t w = 0, j = 0, h = 0;
    for (int block = 0; block < 4; block++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(p + 16 * block));
        // Unsigned "x <= span" as min(x, span) == x. Bytes from 0x80 up fall outside every span.
        __m128i letter = _mm_sub_epi8(_mm_or_si128(b, lower), a);
        __m128i digit = _mm_sub_epi8(b, zero);
        __m128i join = _mm_sub_epi8(b, apostrophe);
        __m128i words = _mm_or_si128(
            _mm_cmpeq_epi8(_mm_min_epu8(letter, z_span), letter), _mm_cmpeq_epi8(_mm_min_epu8(digit, nine), digit));
        uint64_t high = (uint64_t)(unsigned)_mm_movemask_epi8(b);
        w |= (uint64_t)(unsigned)_mm_movemask_epi8(words) << (16 * block);
        j |= ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(join, joiner_span), join)) | high)
            << (16 * block);
        h |= high << (16 * block);
    }
    *word = w;
    *joiner = j;
    *non_ascii = h;
#else
    uint64_t w = 0, j = 0, h = 0;
    for (int k = 0; k < 64; k++) {
        uint8_t b = p[k];
        if (b >= 0x80) {
            h |= 1ull << k;
            j |= 1ull << k;
        } else {
            if (is_word_byte(b)) w |= 1ull << k;
            if ((uint8_t)(b - '\'') <= '-' - '\'') j |= 1ull << k;
        }
    }
    *word = w;
    *joiner = j;
    *non_ascii = h;
#endif
}

int byte_scan_word_bitmaps(
    const uint8_t *bytes, size_t count, uint64_t *word, uint64_t *joiner, uint64_t *non_ascii) {
    uint64_t any = 0;
    size_t chunk = 0;
    for (; (chunk + 1) * 64 <= count; chunk++) {
        word_bitmaps_chunk(bytes + chunk * 64, word + chunk, joiner + chunk, non_ascii + chunk);
        any |= non_ascii[chunk];
    }
    if (chunk * 64 < count) {
        uint8_t last[64];
        memset(last, 0, sizeof last);
        memcpy(last, bytes + chunk * 64, count - chunk * 64);
        word_bitmaps_chunk(last, word + chunk, joiner + chunk, non_ascii + chunk);
        any |= non_ascii[chunk];
    }
    return any != 0;
}

static inline int is_counted_control(uint8_t b) { return b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0C && b != 0x0D; }

void byte_scan_controls(const uint8_t *bytes, size_t count, size_t *controls, int *nul) {
    size_t i = 0, counted = 0;
    int saw_nul = 0;
#ifdef BYTE_SCAN_SSE2
    const __m128i below_space = _mm_set1_epi8(0x1F), zero = _mm_setzero_si128();
    const __m128i tab = _mm_set1_epi8(0x09), line_feed = _mm_set1_epi8(0x0A), form_feed = _mm_set1_epi8(0x0C);
    const __m128i carriage_return = _mm_set1_epi8(0x0D);
    for (; i + 16 <= count; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(bytes + i));
        __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(b, below_space), b);
        if (_mm_movemask_epi8(below) == 0) continue;  // the usual block: no byte below 0x20
        __m128i allowed = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(b, tab), _mm_cmpeq_epi8(b, line_feed)),
            _mm_or_si128(_mm_cmpeq_epi8(b, form_feed), _mm_cmpeq_epi8(b, carriage_return)));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(allowed, below));
        if (mask != 0) {
            counted += (size_t)__builtin_popcount(mask);
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(b, zero)) != 0) saw_nul = 1;
        }
    }
#endif
    for (; i < count; i++) {
        if (is_counted_control(bytes[i])) {
            counted += 1;
            if (bytes[i] == 0) saw_nul = 1;
        }
    }
    *controls = counted;
    *nul = saw_nul;
}

int byte_scan_is_ascii(const uint8_t *bytes, size_t count) {
    size_t i = 0;
#ifdef BYTE_SCAN_SSE2
    __m128i any = _mm_setzero_si128();
    for (; i + 16 <= count; i += 16) any = _mm_or_si128(any, _mm_loadu_si128((const __m128i *)(bytes + i)));
    if (_mm_movemask_epi8(any) != 0) return 0;
#endif
    uint8_t rest = 0;
    for (; i < count; i++) rest |= bytes[i];
    return rest < 0x80;
}
