using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// The fault sweep's workload: for a v2 array, a v3 array and a sharded v3 array, create, a whole-chunk write, partial
/// writes (one chunk, several), a growth, an attribute update, reads, a shrink, a write after it. Every step is one public
/// call whose effect is modelled: <see cref="RunAsync"/> returns, per array, the state before and after the step run last,
/// so after a failure the stored array can be checked against the two states it may be in.
/// </summary>
internal static class MixedWorkload
{
    public const int MaxLength = 48;

    /// <summary>The arrays: name, options, and the stored unit (chunk, or shard) that is written as one value.</summary>
    public static readonly ImmutableArray<(string Name, ArrayOptions Options, int Unit)> Arrays =
    [
        ("v2", new ArrayOptions { Format = ZarrFormat.V2, Chunks = [8], FillValue = 0, MaxDegreeOfParallelism = 1, Attributes = new JsonObject { ["step"] = 0 } }, 8),
        ("v3", new ArrayOptions { Format = ZarrFormat.V3, Chunks = [8], FillValue = 0, MaxDegreeOfParallelism = 1, Attributes = new JsonObject { ["step"] = 0 } }, 8),
        ("sharded", new ArrayOptions { Format = ZarrFormat.V3, Shards = [16], Chunks = [4], FillValue = 0, MaxDegreeOfParallelism = 1, Attributes = new JsonObject { ["step"] = 0 } }, 16),
    ];

    /// <summary>
    /// Runs the workload until a step throws; returns the exception (null when every step succeeded) and, per array started,
    /// its states before and after the last step run (equal for every step that succeeded).
    /// </summary>
    public static async Task<(Exception? Failure, Dictionary<string, (State Before, State After)> States)> RunAsync(IStore store)
    {
        var states = new Dictionary<string, (State Before, State After)>();
        foreach (var (name, options, unit) in Arrays)
        {
            var state = State.Absent;
            ZarrArray<int>? array = null;
            var steps = new (Func<Task> Action, Func<State, State> Effect)[]
            {
                (async () => array = await ZarrArray.CreateAsync<int>(store, name, [32], options), _ => State.Created(32)),
                (() => array!.WriteAsync([Slice.Range(0, unit)], Values(1, 0, unit)), s => s.Written(0, Values(1, 0, unit))),
                (() => array!.WriteAsync([Slice.Range(10, 13)], Values(2, 10, 3)), s => s.Written(10, Values(2, 10, 3))),
                (() => array!.WriteAsync([Slice.Range(6, 20)], Values(3, 6, 14)), s => s.Written(6, Values(3, 6, 14))),
                (() => array!.ResizeAsync([40]), s => s.Resized(40)),
                (() => array!.UpdateAttributesAsync(new JsonObject { ["step"] = 5 }), s => s with { Step = 5 }),
                (() => ReadAndCompareAsync(array!, state), s => s),
                (() => array!.WriteAsync([Slice.Range(32, 40)], Values(7, 32, 8)), s => s.Written(32, Values(7, 32, 8))),
                (() => array!.ResizeAsync([20]), s => s.Resized(20)),
                (() => array!.WriteAsync([Slice.Range(17, 20)], Values(9, 17, 3)), s => s.Written(17, Values(9, 17, 3))),
                (() => ReadAndCompareAsync(array!, state), s => s),
            };

            foreach (var (action, effect) in steps)
            {
                var after = effect(state);
                states[name] = (state, after);
                try
                {
                    await action();
                }
                catch (Exception e)
                {
                    return (e, states);
                }

                state = after;
                states[name] = (state, state);
            }
        }

        return (null, states);
    }

    // A read that returns wrong values is as bad as a torn chunk: the test sees it as a failure that is not typed.
    private static async Task ReadAndCompareAsync(ZarrArray<int> array, State expected)
    {
        var values = (await array.ReadAsync([Slice.Range(0, expected.Length)])).ToArray();
        if (!values.AsSpan().SequenceEqual(expected.Values.AsSpan(0, (int)expected.Length)))
        {
            throw new InvalidOperationException($"array {array.Path}: a successful read returned values other than those written");
        }
    }

    private static int[] Values(int step, int start, int count) => [.. Enumerable.Range(start, count).Select(i => (step * 1000) + i + 1)];

    /// <summary>What an array holds: its length, its values (0, the fill value, beyond the length), its attribute "step".</summary>
    public sealed record State(bool Exists, long Length, int[] Values, int? Step)
    {
        public static State Absent { get; } = new(false, 0, new int[MaxLength], null);

        public static State Created(long length) => new(true, length, new int[MaxLength], 0);

        public State Written(int start, int[] values)
        {
            var copy = (int[])Values.Clone();
            values.CopyTo(copy, start);
            return this with { Values = copy };
        }

        public State Resized(long length)
        {
            var copy = (int[])Values.Clone();
            Array.Clear(copy, (int)Math.Min(length, Length), MaxLength - (int)Math.Min(length, Length));
            return this with { Length = length, Values = copy };
        }
    }
}
