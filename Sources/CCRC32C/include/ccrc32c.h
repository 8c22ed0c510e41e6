#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has the CRC32C instruction (x86-64 SSE4.2); when it has, also builds the
/// tables ccrc32c_hardware combines its three streams with. Call it once, before any
/// ccrc32c_hardware; callers keep the answer (`CRC32C.usesHardware`).
int ccrc32c_hardware_available(void);

/// CRC32C (Castagnoli) of `count` bytes, continuing from `crc` (start with 0), with the CPU's
/// CRC32 instruction. Call only when ccrc32c_hardware_available() returns 1.
uint32_t ccrc32c_hardware(uint32_t crc, const void *bytes, size_t count);

#endif
