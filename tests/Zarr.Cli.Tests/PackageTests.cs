using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> of Zarr.Storage, Zarr.Dataflow and the zarr tool into a temporary folder: each package has its
/// README, the MIT licence expression, XML docs and a symbol package; the core package depends on no heavy (cloud)
/// package; and the tool installs from the folder and runs.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly HashSet<string> CoreDependencies = ["System.Numerics.Tensors", "ZstdSharp.Port", "K4os.Compression.LZ4", "SharpZipLib"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PackagesHaveReadmeLicenceDocsAndSymbolsAndTheToolInstalls()
    {
        var root = RepositoryRoot();
        var output = _temp.Combine("artifacts");
        foreach (var project in new[] { "Zarr.Storage/Zarr.Storage.csproj", "Zarr.Dataflow/Zarr.Dataflow.csproj", "Zarr.Cli/Zarr.Cli.csproj" })
        {
            var (code, text) = await RunAsync("dotnet", ["pack", Path.Combine(root, project), "-c", "Release", "-o", output], root);
            Assert.True(code == 0, $"dotnet pack {project} failed:\n{text}");
        }

        var version = "0.1.0";
        foreach (var (id, libraryFolder, assembly) in new[]
        {
            ("Zarr.Storage", "lib/net10.0/", "Zarr.Storage"),
            ("Zarr.Dataflow", "lib/net10.0/", "Zarr.Dataflow"),
            ("Zarr.Cli", "tools/net10.0/any/", "zarr"),
        })
        {
            using var package = ZipFile.OpenRead(Path.Combine(output, $"{id}.{version}.nupkg"));
            var names = package.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains($"{libraryFolder}{assembly}.dll", names);
            Assert.Contains($"{libraryFolder}{assembly}.xml", names);
            var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
            var ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("expression", metadata.Element(ns + "license")?.Attribute("type")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
            if (id == "Zarr.Storage")
            {
                Assert.True(dependencies.All(CoreDependencies.Contains), $"the core package depends on {string.Join(", ", dependencies)}");
            }

            if (id == "Zarr.Dataflow")
            {
                Assert.Equal(["Zarr.Storage"], dependencies);
            }

            if (id == "Zarr.Cli")
            {
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", names);
                Assert.Equal("DotnetTool", metadata.Element(ns + "packageTypes")?.Element(ns + "packageType")?.Attribute("name")?.Value);
            }

            using var symbols = ZipFile.OpenRead(Path.Combine(output, $"{id}.{version}.snupkg"));
            Assert.Contains($"{libraryFolder}{assembly}.pdb", symbols.Entries.Select(e => e.FullName));
        }

        // A fresh package cache, so that the install reads the package just made and not an older 0.1.0.
        var tools = _temp.Combine("tools");
        var (installed, log) = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", output, "Zarr.Cli", "--version", version], root, _temp.Combine("packages"));
        Assert.True(installed == 0, $"dotnet tool install failed:\n{log}");
        var (helpCode, help) = await RunAsync(Path.Combine(tools, "zarr"), ["--help"], root);
        Assert.True(helpCode == 0, help);
        foreach (var verb in new[] { "info", "tree", "export", "import", "create", "copy", "stats", "verify", "resize", "attrs" })
        {
            Assert.Contains($"  {verb} ", help, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Zarr.Dataflow.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("no Zarr.Dataflow.sln above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string workingDirectory, string? packages = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        if (packages is not null)
        {
            start.Environment["NUGET_PACKAGES"] = packages;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
