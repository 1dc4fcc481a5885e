using Zarr.Dataflow;

/// <summary>A one-line progress bar on stderr for one pass, redrawn in place; <see cref="Finish"/> ends its line.</summary>
internal sealed class ProgressBar(string name) : IProgress<PipelineProgress>
{
    private const int Width = 30;
    private readonly Lock _gate = new();

    public void Report(PipelineProgress value)
    {
        var filled = (int)(Math.Clamp(value.Fraction, 0, 1) * Width);
        var eta = value.EstimatedRemaining is { } left ? $"{left.TotalSeconds,5:F0} s left" : "";
        var mib = (value.BytesRead + value.BytesWritten) / 1048576.0;
        lock (_gate)
        {
            Console.Error.Write($"\r{name,-12} [{new string('#', filled)}{new string('.', Width - filled)}] {value.ChunksDone}/{value.ChunksTotal} chunks {mib,8:F0} MiB {value.Elapsed.TotalSeconds,5:F0} s {eta}   ");
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            Console.Error.WriteLine();
        }
    }
}
