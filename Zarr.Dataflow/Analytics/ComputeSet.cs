using System.Collections.Immutable;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;

namespace Zarr.Dataflow;

/// <summary>
/// Several results of one input computed in one pass, as <c>dask.compute(a, b, c)</c> shares their graph: each chunk of
/// the input is read and decoded once, then every member (reductions, element-wise maps stored into arrays) works on
/// it. Members are written as functions of the input, so they cannot read past the chunk: <c>set.Add(x =&gt;
/// x.NanMean(null))</c>, <c>set.Store(x =&gt; x * 2f, target)</c>. Reductions combine per block of their result in the
/// same fixed trees as on their own, so their bits are those of a separate run; their results are held in memory, so
/// memory is the chunks in flight plus the reductions' partials and results (their kept axes only).
/// </summary>
/// <example>
/// <code>
/// var set = new ComputeSet&lt;float&gt;(Lazy.From(temperature));
/// var mean = set.Add(x =&gt; x.NanMean(null));
/// var std = set.Add(x =&gt; x.NanStd(null));
/// var histogram = set.Add(x =&gt; x.Histogram(edges, null));
/// set.Store(x =&gt; x - 273.15f, celsius);
/// await set.ComputeAsync();
/// Console.WriteLine($"{mean.Values[0]} ± {std.Values[0]}");
/// </code>
/// </example>
/// <typeparam name="T">The input's element type.</typeparam>
/// <remarks>A set is built by one thread; once built, <see cref="ComputeAsync"/> may run again (each run recomputes every member).</remarks>
public sealed class ComputeSet<T> where T : unmanaged
{
    private readonly LazyArray<T> _input;
    private readonly PassInputNode<T> _placeholder;
    private readonly LazyArray<T> _view;
    private readonly List<Member> _members = [];

    /// <summary>A set over <paramref name="input"/>, read once per <see cref="ComputeAsync"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public ComputeSet(LazyArray<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _placeholder = new PassInputNode<T>(input.Node.Shape, input.Node.Chunks);
        _view = new LazyArray<T>(_placeholder);
    }

    /// <summary>The number of members.</summary>
    public int Count => _members.Count;

    /// <summary>Adds a reduction of the input (or of an element-wise expression of it) to the set.</summary>
    /// <param name="reduction">Builds the reduction from the input: <c>x =&gt; x.Std(null)</c>.</param>
    /// <returns>The result, filled by <see cref="ComputeAsync"/>.</returns>
    /// <exception cref="ArgumentException">The reduction does not work on the input's chunk grid (a rechunk or slice of the input).</exception>
    /// <exception cref="InvalidOperationException">The result has more elements than one .NET array holds.</exception>
    public ComputeResult<TOut> Add<TOut>(Func<LazyArray<T>, LazyReduction<TOut>> reduction) where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(reduction);
        var runner = reduction(_view).Runner;
        if (!Planner.SameGrid(runner.SourceGrid, _placeholder.Grid))
        {
            throw new ArgumentException("a reduction in a compute set must work on the input's own chunk grid (element-wise expressions of it, no rechunk or slice)", nameof(reduction));
        }

        var shape = runner.Shape;
        var size = shape.Aggregate(1L, (a, b) => a * b);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"a result of {size} elements does not fit in memory as one .NET array; compute it on its own with StoreAsync");
        }

        var result = new ComputeResult<TOut>(shape);
        _members.Add(new Member(
            async (options, ct) =>
            {
                var values = new TOut[size];
                result.Pending = values;
                return await runner.ConsumerAsync(
                    (start, boxShape, box, _) =>
                    {
                        Boxes.Scatter<TOut>(box, boxShape, values, shape, start);
                        return ValueTask.FromResult(0L);
                    },
                    options,
                    ct).ConfigureAwait(false);
            },
            async (options, ct) =>
            {
                // An input without chunks (a zero-length axis): the reduction's own run gives its empty result.
                var values = new TOut[size];
                result.Pending = values;
                await runner.RunAsync(
                    (start, boxShape, box, _) =>
                    {
                        Boxes.Scatter<TOut>(box, boxShape, values, shape, start);
                        return ValueTask.FromResult(0L);
                    },
                    options,
                    ct).ConfigureAwait(false);
            },
            result.Publish));
        return result;
    }

    /// <summary>Adds an element-wise map of the input, written into <paramref name="target"/> chunk by chunk as the pass goes.</summary>
    /// <param name="map">Builds the expression from the input: <c>x =&gt; x * 2f</c>.</param>
    /// <param name="target">An array of the input's shape (any chunks; the input's chunks give whole-chunk writes).</param>
    /// <exception cref="ArgumentException">The map is not element-wise over the input (another shape or chunk grid), or the target's shape differs.</exception>
    public void Store<TOut>(Func<LazyArray<T>, LazyArray<TOut>> map, ZarrArray<TOut> target) where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(target);
        var node = map(_view).Node;
        if (!Planner.SameGrid(node.Grid, _placeholder.Grid))
        {
            throw new ArgumentException("a stored map in a compute set must be element-wise over the input (its shape and chunk grid)", nameof(map));
        }

        if (!target.Shape.AsSpan().SequenceEqual(node.Shape))
        {
            throw new ArgumentException($"the target's shape ({string.Join(", ", target.Shape)}) is not the input's ({string.Join(", ", node.Shape)})", nameof(target));
        }

        _members.Add(new Member(
            async (options, ct) => new StoreConsumer<TOut>(await DeferredValues.BindAsync(node, options, ct).ConfigureAwait(false), target),
            static (_, _) => Task.CompletedTask,
            static () => { }));
    }

    /// <summary>Computes every member in one pass over the input: each chunk is read and decoded once.</summary>
    /// <returns>The pass's report (its bytes read are the input's, once).</returns>
    /// <exception cref="InvalidOperationException">The set has no members.</exception>
    /// <exception cref="ZarrPipelineException">A stage failed (the first failure; the others are cancelled).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<PipelineReport> ComputeAsync(PipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_members.Count == 0)
        {
            throw new InvalidOperationException("a compute set with no members has nothing to compute");
        }

        options ??= new PipelineOptions();
        var itemSize = Unsafe.SizeOf<T>();
        PipelineReport report;
        if (_placeholder.Grid.ChunkCount == 0)
        {
            foreach (var member in _members)
            {
                await member.RunEmptyAsync(options, cancellationToken).ConfigureAwait(false);
            }

            report = await Planner.ForEachChunkAsync(_input.Node, "Compute set", static (_, _) => ValueTask.FromResult(0L), options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var consumers = new PassConsumer[_members.Count];
            for (var i = 0; i < consumers.Length; i++)
            {
                consumers[i] = await _members[i].CreateAsync(options, cancellationToken).ConfigureAwait(false);
            }

            report = await Planner.ForEachChunkAsync(
                _input.Node,
                "Compute set",
                async (chunk, ct) =>
                {
                    var bytes = (int)chunk.Region.ElementCount * itemSize;
                    var values = DeferredValues.ForChunk(_placeholder, chunk.Region, chunk.Buffer.Memory[..bytes]);
                    long written = 0;
                    foreach (var consumer in consumers)
                    {
                        written += await consumer.ConsumeAsync(chunk, values, ct).ConfigureAwait(false);
                    }

                    return written;
                },
                options,
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var member in _members)
        {
            member.Publish();
        }

        return report;
    }

    private sealed record Member(
        Func<PipelineOptions, CancellationToken, ValueTask<PassConsumer>> CreateAsync,
        Func<PipelineOptions, CancellationToken, Task> RunEmptyAsync,
        Action Publish);

    /// <summary>A stored map: the member's expression over the chunk, written into the target's region.</summary>
    private sealed class StoreConsumer<TOut>(LazyNode<TOut> node, ZarrArray<TOut> target) : PassConsumer where TOut : unmanaged
    {
        public override async ValueTask<long> ConsumeAsync(DecodedChunk chunk, DeferredValues input, CancellationToken cancellationToken)
        {
            var region = chunk.Region;
            var bytes = (int)region.ElementCount * Unsafe.SizeOf<TOut>();
            using var buffer = PooledBuffer.RentDecoded(Math.Max(1, bytes));
            await node.Bind(input).EvaluateAsync(region, buffer.Memory[..bytes], false, cancellationToken).ConfigureAwait(false);
            await target.WriteAsync(region.ToSlices(), ByteMemoryManager<TOut>.Create(buffer.Memory[..bytes]), cancellationToken).ConfigureAwait(false);
            return bytes;
        }
    }
}

/// <summary>One reduction's result in a <see cref="ComputeSet{T}"/>: empty until the set is computed, then the last run's values.</summary>
/// <typeparam name="TOut">The result's element type.</typeparam>
public sealed class ComputeResult<TOut> where TOut : unmanaged
{
    private readonly long[] _shape;
    private TOut[]? _values;

    internal ComputeResult(long[] shape) => _shape = shape;

    /// <summary>The result's shape (the reduction's: kept axes, then bins for a histogram).</summary>
    public ImmutableArray<long> Shape => ImmutableArray.Create(_shape);

    /// <summary>Whether a run of the set has finished and filled the result.</summary>
    public bool IsComputed => Volatile.Read(ref _values) is not null;

    /// <summary>The values, C order.</summary>
    /// <exception cref="InvalidOperationException">The set has not been computed.</exception>
    public ReadOnlySpan<TOut> Values => Volatile.Read(ref _values) ?? throw new InvalidOperationException("the compute set has not been computed yet: await its ComputeAsync first");

    internal TOut[]? Pending { get; set; }

    /// <summary>The values as a tensor of <see cref="Shape"/> (shape [1] for a reduction over every axis).</summary>
    /// <exception cref="InvalidOperationException">The set has not been computed.</exception>
    public Tensor<TOut> ToTensor() => Tensor.Create(Values.ToArray(), LazyArray<TOut>.Lengths(_shape));

    internal void Publish() => Volatile.Write(ref _values, Pending);
}
