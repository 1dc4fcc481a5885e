using System.Globalization;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Reliability;

/// <summary>
/// Prints a figure of issue 13's proof as <c>RELIABILITY id key=value ...</c> to the test's output (shown with
/// <c>--logger "console;verbosity=detailed"</c>), so a run states what it measured.
/// </summary>
internal static class ReliabilityFigures
{
    public static void Report(ITestOutputHelper output, string id, params (string Key, object Value)[] figures) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RELIABILITY {id} {string.Join(' ', figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={f.Value}")))}"));
}
