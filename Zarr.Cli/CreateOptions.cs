using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>
/// The options shared by the verbs that create (<c>import</c>, <c>create</c> and <c>copy</c>):
/// <c>--format</c>, <c>--chunks</c>, <c>--shards</c>, <c>--codec</c>, <c>--fill</c>, <c>--attr</c>,
/// <c>--dimension-names</c>, <c>--overwrite</c>.
/// </summary>
internal sealed class CreateOptions
{
    private readonly Option<string> _format = new("--format")
    {
        Description = "Zarr format of the new array: 2 or 3 (default: create and import take the format of the group the array goes into, else 3; copy writes 3).",
    };

    private readonly Option<string> _chunks = new("--chunks")
    {
        Description = "Chunk shape, e.g. 100,100 (default: chosen from the shape, as zarr-python does). A dimension given as "
            + "edges separated by ':' (a run as EDGExCOUNT) makes the grid rectilinear (v3 only): 31:28:31:30,100 or 24x365,10; "
            + "the extension's JSON is taken too: '[[31,28,31,30],100]', '[[[24,365]],10]'.",
    };

    private readonly Option<string> _shards = new("--shards") { Description = "Shard shape (v3 only), e.g. 200,200." };

    private readonly Option<string[]> _codecs = new("--codec")
    {
        Description = $"A compressor (repeatable for a v3 chain): {CodecSpec.Grammar}. Default blosc:lz4:5:shuffle.",
    };

    private readonly Option<string> _fill = new("--fill") { Description = "The fill value as JSON: 0, 1.5, '\"NaN\"', true." };

    private readonly Option<string[]> _attrs = new("--attr") { Description = "An attribute key=VALUE (VALUE as JSON, else as a string); repeatable." };

    private readonly Option<string> _dimensionNames = new("--dimension-names")
    {
        Description = "Dimension names, e.g. y,x (v3: dimension_names; v2: the _ARRAY_DIMENSIONS attribute xarray reads).",
    };

    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Replace an array or group already at the destination." };

    /// <summary>Adds the options to a verb.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _format.AcceptOnlyFromAmong("2", "3");
        foreach (Option option in new Option[] { _format, _chunks, _shards, _codecs, _fill, _attrs, _dimensionNames, _overwrite })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Reads and checks what does not depend on the data: grammar and format compatibility.</summary>
    /// <exception cref="UsageException">A value is wrong or the format cannot hold it.</exception>
    public CreateRequest Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var formatText = result.GetValue(_format);
        var format = formatText == "2" ? ZarrFormat.V2 : ZarrFormat.V3;
        var chunkText = result.GetValue(_chunks);
        var chunkEdges = chunkText is null ? null : ChunkEdgesSyntax.Parse(chunkText, "--chunks");
        var chunks = chunkText is not null && chunkEdges is null ? ParseShape(chunkText, "--chunks") : null;
        var shards = result.GetValue(_shards) is { } shardText ? ParseShape(shardText, "--shards") : null;
        var fillText = result.GetValue(_fill);
        JsonNode? fill = null;
        if (fillText is not null)
        {
            try
            {
                fill = JsonNode.Parse(fillText) ?? throw new UsageException($"--fill {fillText}: null is not a fill value here (give a value of the data type)");
            }
            catch (JsonException ex)
            {
                throw new UsageException($"--fill {fillText}: not JSON (write 0, 1.5, true, or a quoted string such as '\"NaN\"')", ex);
            }
        }

        JsonObject? attributes = null;
        foreach (var attr in result.GetValue(_attrs) ?? [])
        {
            var equals = attr.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--attr '{attr}': expected key=VALUE");
            }

            attributes ??= [];
            attributes[attr[..equals]] = ParseAttributeValue(attr[(equals + 1)..]);
        }

        string?[]? dimensionNames = null;
        if (result.GetValue(_dimensionNames) is { } namesText)
        {
            dimensionNames = namesText.Split(',').Select(n => n.Trim()).ToArray();
            if (dimensionNames.Any(n => n!.Length == 0))
            {
                throw new UsageException($"--dimension-names '{namesText}': a name is empty");
            }
        }

        if (shards is not null && format == ZarrFormat.V2)
        {
            throw new UsageException("--shards needs --format 3: Zarr v2 has no sharding");
        }

        if (chunkEdges is not null && format == ZarrFormat.V2)
        {
            throw new UsageException($"--chunks {chunkText}: a rectilinear chunk grid (explicit edges) needs --format 3; v2 metadata holds one chunk shape only");
        }

        if (chunkEdges is not null && shards is not null)
        {
            throw new UsageException($"--chunks {chunkText} with --shards: a sharded array's rectilinear grid is not taken from the command line; give one chunk shape");
        }

        if (shards is not null && chunks is not null)
        {
            if (shards.Length != chunks.Length)
            {
                throw new UsageException($"--shards {string.Join(',', shards)} has {shards.Length} dimensions but --chunks {string.Join(',', chunks)} has {chunks.Length}");
            }

            for (var d = 0; d < shards.Length; d++)
            {
                if (shards[d] % chunks[d] != 0)
                {
                    throw new UsageException($"--shards {string.Join(',', shards)} must be a multiple of --chunks {string.Join(',', chunks)} in every dimension (dimension {d}: {shards[d]} is not a multiple of {chunks[d]})");
                }
            }
        }

        var codecs = CodecSpec.ParseAll(result.GetValue(_codecs), format);
        return new CreateRequest(format, chunks, shards, codecs, fill, fillText, attributes, dimensionNames, result.GetValue(_overwrite)) { FormatGiven = formatText is not null, ChunkEdges = chunkEdges };
    }

    /// <summary>An attribute value as given on the command line: JSON when it parses, else the text as a string.</summary>
    internal static JsonNode? ParseAttributeValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>
    /// An array shape (<c>--shape</c>): non-negative integers, comma-separated; an empty text (or <c>()</c>) is the shape of
    /// a 0-d array.
    /// </summary>
    /// <exception cref="UsageException">A dimension is not a non-negative integer.</exception>
    internal static long[] ParseArrayShape(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith('(') && trimmed.EndsWith(')'))
        {
            trimmed = trimmed[1..^1].Trim();
        }

        if (trimmed.Length == 0)
        {
            return [];
        }

        var parts = trimmed.TrimEnd(',').Split(',');
        var shape = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw new UsageException($"{option} '{text}': '{parts[i].Trim()}' is not a non-negative integer");
            }
        }

        return shape;
    }

    private static int[] ParseShape(string text, string option)
    {
        var parts = text.Split(',');
        var shape = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
            {
                throw new UsageException($"{option} '{text}': '{parts[i].Trim()}' is not a positive integer");
            }
        }

        return shape;
    }
}

/// <summary>What the create options asked for, checked for grammar and format; the checks that need the data's rank and type are in <see cref="ToArrayOptions"/>.</summary>
internal sealed record CreateRequest(
    ZarrFormat Format,
    int[]? Chunks,
    int[]? Shards,
    IReadOnlyList<CodecSpec>? Codecs,
    JsonNode? Fill,
    string? FillText,
    JsonObject? Attributes,
    string?[]? DimensionNames,
    bool Overwrite)
{
    /// <summary>True when <c>--format</c> was given; otherwise <see cref="Format"/> is the default, v3.</summary>
    public bool FormatGiven { get; init; }

    /// <summary>A rectilinear grid's edges per dimension from <c>--chunks</c> (then <see cref="Chunks"/> is null), or null.</summary>
    public IReadOnlyList<ChunkEdgeList>? ChunkEdges { get; init; }

    /// <summary>The library's options for an array of <paramref name="dataType"/> with <paramref name="rank"/> dimensions.</summary>
    /// <exception cref="UsageException">The chunks or names do not match the rank, or the fill value does not fit the type.</exception>
    public ArrayOptions ToArrayOptions(ZarrDataType dataType, int rank)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (Chunks is not null && Chunks.Length != rank)
        {
            throw new UsageException($"--chunks {string.Join(',', Chunks)} has {Chunks.Length} dimensions but the data has {rank}");
        }

        if (ChunkEdges is not null && ChunkEdges.Count != rank)
        {
            throw new UsageException($"--chunks gives edges for {ChunkEdges.Count} dimensions but the data has {rank}");
        }

        if (Shards is not null && Shards.Length != rank)
        {
            throw new UsageException($"--shards {string.Join(',', Shards)} has {Shards.Length} dimensions but the data has {rank}");
        }

        if (DimensionNames is not null && DimensionNames.Length != rank)
        {
            throw new UsageException($"--dimension-names gives {DimensionNames.Length} names but the data has {rank} dimensions");
        }

        if (Fill is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(Fill.ToJsonString());
                _ = dataType.ValueFromJson(document.RootElement);
            }
            catch (ZarrException ex)
            {
                // Keep the reason, without the "{document}: field '{field}': " location, which is the option itself here.
                var marker = ex is ZarrMetadataException { Field: { } field } ? $"field '{field}': " : null;
                var at = marker is null ? -1 : ex.Message.IndexOf(marker, StringComparison.Ordinal);
                var reason = at < 0 ? ex.Message : ex.Message[(at + marker!.Length)..];
                throw new UsageException($"--fill {FillText}: {reason}", ex);
            }
        }

        return new ArrayOptions
        {
            Format = Format,
            Chunks = Chunks is null ? null : ImmutableArray.Create(Chunks),
            ChunkEdges = ChunkEdges,
            Shards = Shards is null ? null : ImmutableArray.Create(Shards),
            Compressors = Codecs?.Select(c => c.Build(dataType)).ToList(),
            FillValue = Fill?.DeepClone(),
            Attributes = (JsonObject?)Attributes?.DeepClone(),
            DimensionNames = DimensionNames,
        };
    }
}
