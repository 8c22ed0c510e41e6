import Testing

@testable import ingest_bench

#if canImport(Glibc)
    import Glibc
#endif

@Suite("ingest-bench accounting")
struct BenchAccountingTests {
    @Test("utime and stime are read after the command name, even one with spaces and parentheses")
    func procStat() throws {
        // Fields 3 to 15 of /proc/<pid>/stat: state, ppid, pgrp, session, tty, tpgid, flags, minflt,
        // cminflt, majflt, cmajflt, utime (250 ticks), stime (75 ticks).
        let line = "4242 (ingest (d) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 9 0 123 0 0\n"
        let cpu = try #require(CPUTime.parseProcStat(line, ticksPerSecond: 100))
        #expect(cpu == CPUTime(user: 2.5, system: 0.75))
        #expect(cpu.microseconds(perFile: 1000) == 3250)
        #expect(CPUTime.parseProcStat("4242 (short) S 1 2", ticksPerSecond: 100) == nil)
        #expect(CPUTime.parseProcStat("no parenthesis at all", ticksPerSecond: 100) == nil)
    }

    @Test("CPU time of this process is read from /proc and does not go backwards")
    func ownProcess() throws {
        let before = try #require(CPUTime.of(pid: getpid()))
        let start = MonotonicClock.now()
        while MonotonicClock.seconds(MonotonicClock.now() - start) < 0.05 {}  // spin: use some CPU
        let after = try #require(CPUTime.of(pid: getpid()))
        #expect(after.user >= before.user && after.system >= before.system)
        #expect((after - before).total < 10)
    }

    @Test("medians of odd and even counts; none of nothing")
    func medians() {
        #expect([3.0, 1, 2].median == 2)
        #expect([4.0, 1, 3, 2].median == 2.5)
        #expect([Double]().median == nil)
        let rounds = [0.3, 0.5, 0.4].map {
            BurstRound(burstFilesPerSecond: $0 * 100, floorFilesPerSecond: 100, checksPassed: true)
        }
        #expect(abs((rounds.medianRatio ?? 0) - 0.4) < 1e-9)
    }

    @Test("the floor's summary line is parsed")
    func floorLine() throws {
        let result = try #require(
            FloorBenchmark.parse(
                "floor: 10000 files 40.5 MB in 0.223 s = 44774 files/s 181.3 MB/s (batch 256)\n", batch: 256))
        #expect(result.filesPerSecond == 44774)
        #expect(result.megabytesPerSecond == 181.3)
        #expect(result.files == 10000)
        #expect(FloorBenchmark.parse("usage: floor INBOX DONE STORE [BATCH]", batch: 256) == nil)
    }
}
