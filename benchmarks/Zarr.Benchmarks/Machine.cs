using System.Diagnostics;
using System.Globalization;

namespace Zarr.Benchmarks;

/// <summary>
/// The machine rules of ../shared/bench/benchutil.py, in C#: wait for a quiet machine before each repetition and
/// record the CPU that other processes burnt while it ran; read this process's resident set from /proc.
/// </summary>
internal static class Machine
{
    private static readonly double QuietBusy = EnvDouble("QUIET_BUSY", 0.10);
    private static readonly double QuietTimeout = EnvDouble("QUIET_TIMEOUT", 180);
    private static readonly long Hz = 100; // USER_HZ on Linux

    public static int Cpus => Environment.ProcessorCount;

    /// <summary>System-wide busy and total CPU time, in seconds.</summary>
    public static (double Busy, double Total) CpuTimes()
    {
        var line = File.ReadLines("/proc/stat").First();
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var idle = parts[3] + parts[4];
        var total = parts.Sum();
        return ((total - idle) / (double)Hz, total / (double)Hz);
    }

    /// <summary>This process's CPU time in seconds.</summary>
    public static double OwnCpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Blocks until other processes use less than QUIET_BUSY of the machine (or QUIET_TIMEOUT passes).</summary>
    public static (double Waited, double Busy) WaitQuiet()
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var (b0, t0) = CpuTimes();
            var o0 = OwnCpu();
            Thread.Sleep(1000);
            var (b1, t1) = CpuTimes();
            var o1 = OwnCpu();
            var frac = Math.Max(0, (b1 - b0) - (o1 - o0)) / Math.Max(t1 - t0, 1e-9);
            if (frac < QuietBusy || sw.Elapsed.TotalSeconds > QuietTimeout)
            {
                return (sw.Elapsed.TotalSeconds, frac);
            }
        }
    }

    /// <summary>A field of /proc/self/status in MiB (VmRSS, VmHWM).</summary>
    public static double StatusMiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>This process's minor page faults so far (/proc/self/stat field 10).</summary>
    public static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    public static void Sync() => Process.Start("sync")!.WaitForExit();

    /// <summary>Drops the page cache (needs root), as the peer's W2c workloads do.</summary>
    public static void DropCaches()
    {
        Sync();
        File.WriteAllText("/proc/sys/vm/drop_caches", "3\n");
    }

    /// <summary>
    /// Whether the warm-up goes on after <paramref name="runs"/> runs that took <paramref name="seconds"/> in all (called
    /// once after each warm-up run): at least two runs and half a second (up to 20 runs), then until BENCH_WARMUP_RUNS
    /// runs (default 64) have passed and the JIT has compiled nothing for the last BENCH_WARMUP_QUIET runs (default 10),
    /// or BENCH_WARMUP_S seconds (default 20: a bound for the long workloads; a loaded machine makes runs 3-5x longer).
    /// With tiered PGO a method reaches its final tier after about 60 calls (30 at tier 0, 30 instrumented), and the
    /// runtime holds tier-up back while new methods keep being compiled: what runs once per run (opening the array,
    /// planning, wiring the pipeline, parsing metadata) got there only after some 60 runs, or, in a code base with more
    /// such methods, some 100-300 (W3-sum-c128: 5-30 ms of JIT in the timed repetitions after 64 runs, 0-1.4 ms after
    /// 300). Its background compilation is process CPU, on a second core the workload wants, so code with more such
    /// methods measured slower though it did the same work. BENCH_WARMUP_RUNS=2 BENCH_WARMUP_QUIET=0 gives the old
    /// warm-up.
    /// </summary>
    public static bool WarmMore(int runs, double seconds)
    {
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        _quietRuns = compiled == _compiledBefore ? _quietRuns + 1 : 0;
        _compiledBefore = compiled;
        return runs < 2 || (seconds < 0.5 && runs < 20) || ((runs < WarmupRuns || _quietRuns < WarmupQuietRuns) && seconds < WarmupSeconds);
    }

    private static readonly int WarmupRuns = (int)EnvDouble("BENCH_WARMUP_RUNS", 64);
    private static readonly int WarmupQuietRuns = (int)EnvDouble("BENCH_WARMUP_QUIET", 10);
    private static readonly double WarmupSeconds = EnvDouble("BENCH_WARMUP_S", 20);
    private static long _compiledBefore = -1;
    private static int _quietRuns;

    private static double EnvDouble(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

/// <summary>Times one repetition and the CPU others used meanwhile (benchutil.Rep).</summary>
internal sealed class Rep
{
    private double _busy0;
    private double _own0;
    private long _t0;
    private long _faults0;
    private TimeSpan _jit0;
    private int _jitMethods0;

    public double Wall { get; private set; }

    public double OwnCpu { get; private set; }

    public double ForeignCpu { get; private set; }

    public long MinorFaults { get; private set; }

    /// <summary>Time the JIT spent compiling during the repetition, on every thread (tier-up compiles in the background).</summary>
    public double JitMs { get; private set; }

    /// <summary>Methods the JIT compiled during the repetition.</summary>
    public int JitMethods { get; private set; }

    public bool Noisy => ForeignCpu > 0.10 * Wall * Machine.Cpus;

    public void Start()
    {
        _busy0 = Machine.CpuTimes().Busy;
        _own0 = Machine.OwnCpu();
        _faults0 = Machine.MinorFaults();
        _jit0 = System.Runtime.JitInfo.GetCompilationTime();
        _jitMethods0 = (int)System.Runtime.JitInfo.GetCompiledMethodCount();
        _t0 = Stopwatch.GetTimestamp();
    }

    public void Stop()
    {
        Wall = Stopwatch.GetElapsedTime(_t0).TotalSeconds;
        JitMs = (System.Runtime.JitInfo.GetCompilationTime() - _jit0).TotalMilliseconds;
        JitMethods = (int)System.Runtime.JitInfo.GetCompiledMethodCount() - _jitMethods0;
        MinorFaults = Machine.MinorFaults() - _faults0;
        var busy1 = Machine.CpuTimes().Busy;
        OwnCpu = Machine.OwnCpu() - _own0;
        ForeignCpu = Math.Max(0, busy1 - _busy0 - OwnCpu);
    }
}
