using System.Net;
using System.Net.Sockets;
using Zarr.Storage;

namespace Zarr.Cli.Tests;

/// <summary><c>--dashboard PORT</c> of copy and stats: the page's address on stderr, the same stdout, clear usage errors.</summary>
public sealed class DashboardOptionTests
{
    private static async Task<string> WriteAsync(TempDirectory dir)
    {
        var path = Path.Combine(dir.Path, "a.zarr");
        var array = await ZarrArray.CreateAsync<double>(new DirectoryStore(path), "", [40, 30], new ArrayOptions { Chunks = [10, 10] });
        await array.WriteAsync([Slice.All, Slice.All], Enumerable.Range(0, 1200).Select(i => i * 0.5).ToArray());
        return path;
    }

    [Fact]
    public async Task Stats_and_copy_with_a_dashboard_print_its_address_on_stderr_and_the_same_stdout()
    {
        using var dir = new TempDirectory();
        var path = await WriteAsync(dir);
        var plain = await Cli.RunExpectingAsync(0, "stats", path, "--json");
        var shown = await Cli.RunExpectingAsync(0, "stats", path, "--json", "--dashboard", "0");
        Assert.Equal(plain.Stdout, shown.Stdout);
        Assert.Matches(@"^zarr: dashboard at http://127\.0\.0\.1:[1-9][0-9]*/\n?$", shown.Stderr.ReplaceLineEndings("\n"));

        var copied = await Cli.RunExpectingAsync(0, "copy", path, Path.Combine(dir.Path, "b.zarr"), "--chunks", "20,15", "--dashboard", "0");
        Assert.StartsWith("copied 1 array: 4 chunks written", copied.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("zarr: dashboard at http://127.0.0.1:", copied.Stderr, StringComparison.Ordinal);
        Assert.Equal(
            (await Cli.RunExpectingAsync(0, "stats", path, "--json")).Stdout,
            (await Cli.RunExpectingAsync(0, "stats", Path.Combine(dir.Path, "b.zarr"), "--json")).Stdout);
    }

    [Fact]
    public async Task A_port_out_of_range_or_taken_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        var path = await WriteAsync(dir);
        var usage = await Cli.RunExpectingAsync(2, "stats", path, "--dashboard", "70000");
        Assert.Contains("--dashboard 70000", usage.Stderr, StringComparison.Ordinal);

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var busy = await Cli.RunExpectingAsync(1, "stats", path, "--dashboard", port);
        Assert.Contains($"--dashboard {port}", busy.Stderr, StringComparison.Ordinal);
    }
}
