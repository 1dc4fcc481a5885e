using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;

namespace Zarr.Cli;

/// <summary>Where a run writes: stdout carries only the result, stderr the one-line failures.</summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool errorIsTerminal = false)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // Scripts read this: "<i4" stays "<i4", not "\u003Ci4".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // zarr-python 2 writes NaN and Infinity in attributes; JSON has no such numbers: print them as zarr's strings.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly JsonSerializerOptions OneLineOptions = new(JsonOptions) { WriteIndented = false };

    /// <summary>The result stream (stdout).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>The diagnostics stream (stderr).</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when stderr is a terminal: only then are progress bars drawn (on stderr).</summary>
    public bool ErrorIsTerminal { get; } = errorIsTerminal;

    /// <summary>
    /// True to draw progress with ANSI escapes without asking the terminal type (TERM); false (the default) detects it.
    /// Set by tests that read what a terminal would show.
    /// </summary>
    public bool ErrorAnsi { get; init; }

    /// <summary>The width of the terminal in columns, or null to ask it (tests set it).</summary>
    public int? ErrorWidth { get; init; }

    /// <summary>The options of the JSON printed on stdout.</summary>
    public static JsonSerializerOptions SerializerOptions => JsonOptions;

    /// <summary>The same, on one line: JSON inside a text summary.</summary>
    public static JsonSerializerOptions OneLineSerializerOptions => OneLineOptions;

    /// <summary>Writes a JSON document to stdout, indented, with a final newline.</summary>
    public async Task WriteJsonAsync(JsonNode node)
    {
        await Out.WriteLineAsync(node.ToJsonString(JsonOptions)).ConfigureAwait(false);
        await Out.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Writes text to stdout with a final newline.</summary>
    public async Task WriteLineAsync(string text)
    {
        await Out.WriteLineAsync(text).ConfigureAwait(false);
        await Out.FlushAsync().ConfigureAwait(false);
    }
}
