// The SSE4.2 CRC32 instruction computes CRC32C (the Castagnoli polynomial): 8 bytes per
// instruction instead of eight table lookups. Swift has no portable way to reach it, hence C.
#include "ccrc32c.h"

#include <string.h>

#if defined(__x86_64__)

// The instruction takes three cycles before its result can feed the next one, but a new one can
// start every cycle: three independent streams over three blocks keep it busy. The three CRCs
// are then combined: the CRC of A followed by B is the CRC of A moved past |B| zero bytes,
// xor the CRC of B started from zero. Moving a CRC past a fixed number of zero bytes is a
// linear map over GF(2), applied a byte of the CRC at a time through four 256-entry tables.

#define CRC32C_POLY 0x82F63B78u  // reflected
#define BLOCK 256                // bytes per stream per round: 768 bytes a round

static uint32_t zeros_block[4][256];  // moves a CRC past BLOCK zero bytes

static uint32_t gf2_matrix_times(const uint32_t *matrix, uint32_t vector) {
    uint32_t sum = 0;
    for (; vector != 0; vector >>= 1, matrix++) {
        if (vector & 1) sum ^= *matrix;
    }
    return sum;
}

static void gf2_matrix_square(uint32_t *square, const uint32_t *matrix) {
    for (int n = 0; n < 32; n++) square[n] = gf2_matrix_times(matrix, matrix[n]);
}

// The operator that moves a CRC past `length` zero bytes (a power of two).
static void zeros_operator(uint32_t *result, size_t length) {
    uint32_t odd[32], even[32];
    odd[0] = CRC32C_POLY;  // one zero bit
    for (int n = 1; n < 32; n++) odd[n] = 1u << (n - 1);
    gf2_matrix_square(even, odd);  // two zero bits
    gf2_matrix_square(odd, even);  // four zero bits
    // Each squaring doubles the zeros: the next is one byte, then two, four, ...
    uint32_t *current = odd, *next = even;
    for (size_t bytes = 1; bytes <= length; bytes <<= 1) {
        gf2_matrix_square(next, current);
        uint32_t *swap = current;
        current = next;
        next = swap;
    }
    memcpy(result, current, sizeof odd);
}

static void build_zeros_tables(uint32_t tables[4][256], size_t length) {
    uint32_t op[32];
    zeros_operator(op, length);
    for (uint32_t n = 0; n < 256; n++) {
        tables[0][n] = gf2_matrix_times(op, n);
        tables[1][n] = gf2_matrix_times(op, n << 8);
        tables[2][n] = gf2_matrix_times(op, n << 16);
        tables[3][n] = gf2_matrix_times(op, n << 24);
    }
}

static inline uint32_t shift_past_block(uint32_t crc) {
    return zeros_block[0][crc & 0xFF] ^ zeros_block[1][(crc >> 8) & 0xFF] ^ zeros_block[2][(crc >> 16) & 0xFF]
        ^ zeros_block[3][crc >> 24];
}

int ccrc32c_hardware_available(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sse4.2")) return 0;
    build_zeros_tables(zeros_block, BLOCK);
    return 1;
}

__attribute__((target("sse4.2")))
uint32_t ccrc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t c = ~crc;
    while (count >= 3 * BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        for (size_t offset = 0; offset < BLOCK; offset += 8) {
            uint64_t w0, w1, w2;
            memcpy(&w0, p + offset, 8);
            memcpy(&w1, p + BLOCK + offset, 8);
            memcpy(&w2, p + 2 * BLOCK + offset, 8);
            c = __builtin_ia32_crc32di(c, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        c = shift_past_block((uint32_t)c) ^ (uint32_t)c1;
        c = shift_past_block((uint32_t)c) ^ (uint32_t)c2;
        p += 3 * BLOCK;
        count -= 3 * BLOCK;
    }
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        count -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (count > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p += 1;
        count -= 1;
    }
    return ~c32;
}

#else

int ccrc32c_hardware_available(void) { return 0; }

uint32_t ccrc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;  // never called: ccrc32c_hardware_available() is 0
}

#endif
