namespace Zarr.Fuzz;

/// <summary>Runs one input through the code under test; returns normally when the input was accepted.</summary>
internal delegate void FuzzAction(ReadOnlySpan<byte> input);

/// <summary>
/// One kind of untrusted input and the code that reads it: what to run, which exceptions are the documented refusal of
/// a bad input (everything else is a crash), how much one run may allocate, and the seeds its corpus starts from.
/// </summary>
/// <param name="Name">The target's name: its corpus folder and the AFL++ argument.</param>
/// <param name="Run">Reads one input.</param>
/// <param name="Seeds">Valid (or nearly valid) inputs made from real arrays, the corpus's start.</param>
/// <param name="DecodedBytes">The most a valid input may decode to (a chunk's size); the allocation bound starts from it.</param>
/// <param name="BytesPerInputByte">What a parser may allocate per input byte on top (a JSON tree, a string per key); 0 for decoders.</param>
internal sealed record FuzzTarget(string Name, FuzzAction Run, Func<Task<IReadOnlyList<byte[]>>> Seeds, long DecodedBytes, int BytesPerInputByte = 0)
{
    /// <summary>The slack every run gets beyond what its input may decode to: the "+ 1 MiB".</summary>
    public const long Slack = 1 << 20;

    /// <summary>Exception types besides <see cref="Zarr.Storage.ZarrException"/> that this target documents as refusals.</summary>
    public IReadOnlyList<Type> OtherRefusals { get; init; } = [];

    /// <summary>True when <paramref name="exception"/> is how the code under test refuses a bad input, as documented.</summary>
    public bool IsRefusal(Exception exception) =>
        exception is Zarr.Storage.ZarrException || OtherRefusals.Any(type => type.IsInstanceOfType(exception));

    /// <summary>
    /// What the decoder needs besides its output, as the input declares it, when that is more than the slack: bzip2's
    /// block buffers (5 bytes per byte of the block size its header names, whatever the chunk's size). Null for none.
    /// </summary>
    public Func<byte[], long>? WorkingMemory { get; init; }

    /// <summary>The most one run on <paramref name="input"/> may allocate.</summary>
    public long AllocationBound(byte[] input) =>
        DecodedBytes + Slack + ((long)BytesPerInputByte * input.Length) + (WorkingMemory?.Invoke(input) ?? 0);

    /// <summary>Runs the input; a refusal is swallowed, anything else propagates (for AFL++, a crash).</summary>
    /// <returns>True when the input was accepted, false when it was refused.</returns>
    public bool Execute(ReadOnlySpan<byte> input)
    {
        try
        {
            Run(input);
            return true;
        }
        catch (Exception e) when (IsRefusal(e))
        {
            return false;
        }
    }

    /// <summary>Seeds made without I/O, for <see cref="Seeds"/>.</summary>
    public static Func<Task<IReadOnlyList<byte[]>>> Made(Func<IEnumerable<byte[]>> seeds) =>
        () => Task.FromResult<IReadOnlyList<byte[]>>([.. seeds()]);

    /// <inheritdoc />
    public override string ToString() => Name;
}
