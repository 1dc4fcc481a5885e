using System.Globalization;
using System.Text;

namespace Zarr.Dataflow;

/// <summary>What one stage did during a run.</summary>
/// <param name="Name">The stage (Fetch, Decode, Compute, Encode, Store, Reduce, ...).</param>
/// <param name="MaxDegreeOfParallelism">The stage's workers.</param>
/// <param name="Items">Chunks the stage finished.</param>
/// <param name="BusyTime">Worker time spent working, summed over workers.</param>
/// <param name="WaitingForInput">Worker time spent idle for want of input, summed over workers.</param>
/// <param name="WaitingForOutput">Worker time spent waiting for the next stage to accept a result (back-pressure), summed over workers.</param>
public sealed record StageReport(string Name, int MaxDegreeOfParallelism, long Items, TimeSpan BusyTime, TimeSpan WaitingForInput, TimeSpan WaitingForOutput)
{
    /// <summary>The fraction of the stage's worker time spent working (1 means this stage bounds the pipeline).</summary>
    public double Utilization
    {
        get
        {
            var total = BusyTime + WaitingForInput + WaitingForOutput;
            return total <= TimeSpan.Zero ? 0 : BusyTime / total;
        }
    }
}

/// <summary>The report of one pipeline run: per stage, the items, busy time and time spent waiting.</summary>
public sealed class PipelineReport
{
    internal PipelineReport(IReadOnlyList<StageReport> stages, TimeSpan elapsed, long chunks, long bytesRead, long bytesWritten, bool succeeded, bool isFinal = true, int chunksInFlight = 0, long pooledBytes = 0)
    {
        IsFinal = isFinal;
        ChunksInFlight = chunksInFlight;
        PooledBytes = pooledBytes;
        Stages = stages;
        Elapsed = elapsed;
        Chunks = chunks;
        BytesRead = bytesRead;
        BytesWritten = bytesWritten;
        Succeeded = succeeded;
    }

    /// <summary>The stages in pipeline order.</summary>
    public IReadOnlyList<StageReport> Stages { get; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Chunks that went all the way through.</summary>
    public long Chunks { get; }

    /// <summary>Bytes read from stores (see <see cref="PipelineProgress.BytesRead"/>): only store I/O, nothing for computed values.</summary>
    public long BytesRead { get; }

    /// <summary>Encoded bytes written.</summary>
    public long BytesWritten { get; }

    /// <summary>False when the run failed or was cancelled.</summary>
    public bool Succeeded { get; }

    /// <summary>True for the report of a run that ended; false for a report so far (see <see cref="IPipelineObserver"/>).</summary>
    public bool IsFinal { get; }

    /// <summary>Chunks inside the pipeline when the report was made (read and not yet through): 0 once the run ended.</summary>
    public int ChunksInFlight { get; }

    /// <summary>Bytes of chunk buffers the process's buffer pools held when the report was made (shared by every run in the process).</summary>
    public long PooledBytes { get; }

    /// <summary>The stage whose workers were busiest: the one that bounds the pipeline (null for a run without stages).</summary>
    public StageReport? Bottleneck => Stages.Count == 0 ? null : Stages.MaxBy(s => s.Utilization);

    /// <summary>A table, one line per stage.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Chunks} chunks in {Elapsed.TotalSeconds:F2} s; read {BytesRead:N0} B, wrote {BytesWritten:N0} B\n");
        foreach (var s in Stages)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {s.Name,-8} x{s.MaxDegreeOfParallelism,-3} items {s.Items,8}  busy {s.BusyTime.TotalSeconds,8:F2} s  wait-in {s.WaitingForInput.TotalSeconds,8:F2} s  wait-out {s.WaitingForOutput.TotalSeconds,8:F2} s  ({s.Utilization:P0} busy)\n");
        }

        return sb.ToString();
    }
}
