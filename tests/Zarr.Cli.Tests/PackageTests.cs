using Zarr.Tests;
using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Zarr.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> of Zarr.Storage, Zarr.Dataflow and the zarr tool into a temporary folder: each package has its
/// README, the MIT licence expression, XML docs and a symbol package; the core package depends on no heavy (cloud)
/// package; the packages carry the repository's version (0.1.commit count, so each commit packs a new one); and the tool
/// installs from the folder and runs.
/// </summary>
[Trait(SlowTests.Category, SlowTests.Slow)] // packs three packages and installs the tool
public sealed class PackageTests : IDisposable
{
    private static readonly HashSet<string> CoreDependencies = ["System.Numerics.Tensors", "ZstdSharp.Port", "K4os.Compression.LZ4", "SharpZipLib", "System.IO.Hashing"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PackagesHaveReadmeLicenceDocsAndSymbolsAndTheToolInstalls()
    {
        var root = RepositoryRoot();
        var output = _temp.Combine("artifacts");
        foreach (var project in new[] { "Zarr.Storage/Zarr.Storage.csproj", "Zarr.Dataflow/Zarr.Dataflow.csproj", "Zarr.Storage.S3/Zarr.Storage.S3.csproj", "Zarr.Storage.Azure/Zarr.Storage.Azure.csproj", "Zarr.Dataflow.Orleans/Zarr.Dataflow.Orleans.csproj", "Zarr.Cli/Zarr.Cli.csproj" })
        {
            var (code, text) = await RunAsync("dotnet", ["pack", Path.Combine(root, project), "-c", "Release", "-o", output], root);
            Assert.True(code == 0, $"dotnet pack {project} failed:\n{text}");
        }

        var version = await RepositoryVersionAsync(root);
        Assert.Matches(@"^0\.1\.[0-9]+$", version);
        foreach (var (id, libraryFolder, assembly) in new[]
        {
            ("Zarr.Storage", "lib/net10.0/", "Zarr.Storage"),
            ("Zarr.Dataflow", "lib/net10.0/", "Zarr.Dataflow"),
            ("Zarr.Storage.S3", "lib/net10.0/", "Zarr.Storage.S3"),
            ("Zarr.Storage.Azure", "lib/net10.0/", "Zarr.Storage.Azure"),
            ("Zarr.Dataflow.Orleans", "lib/net10.0/", "Zarr.Dataflow.Orleans"),
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
            Assert.Equal(version, metadata.Element(ns + "version")?.Value);
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
                // MathNet.Numerics for the solves of polynomial fits (issue 16); nothing heavier.
                Assert.Equal(["MathNet.Numerics", "Zarr.Storage"], dependencies.Order(StringComparer.Ordinal));
                Assert.Equal(version, metadata.Descendants(ns + "dependency").Single(d => d.Attribute("id")!.Value == "Zarr.Storage").Attribute("version")?.Value);
            }

            if (id is "Zarr.Storage.S3" or "Zarr.Storage.Azure" or "Zarr.Dataflow.Orleans")
            {
                // The heavy SDKs stay in their own packages, and each depends on the core at the same version.
                Assert.Contains("Zarr.Storage", dependencies);
                Assert.Equal(version, metadata.Descendants(ns + "dependency").Single(d => d.Attribute("id")!.Value == "Zarr.Storage").Attribute("version")?.Value);
            }

            if (id == "Zarr.Cli")
            {
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", names);
                Assert.Equal("DotnetTool", metadata.Element(ns + "packageTypes")?.Element(ns + "packageType")?.Attribute("name")?.Value);
            }

            using var symbols = ZipFile.OpenRead(Path.Combine(output, $"{id}.{version}.snupkg"));
            Assert.Contains($"{libraryFolder}{assembly}.pdb", symbols.Entries.Select(e => e.FullName));
        }

        // A fresh package cache all the same, so that the install reads the package just made even when this commit was packed before.
        var tools = _temp.Combine("tools");
        var (installed, log) = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", output, "Zarr.Cli", "--version", version], root, _temp.Combine("packages"));
        Assert.True(installed == 0, $"dotnet tool install failed:\n{log}");
        var (versionCode, toolVersion) = await RunAsync(Path.Combine(tools, "zarr"), ["--version"], root);
        Assert.True(versionCode == 0, toolVersion);
        Assert.StartsWith(version + "+", toolVersion, StringComparison.Ordinal);
        var (helpCode, help) = await RunAsync(Path.Combine(tools, "zarr"), ["--help"], root);
        Assert.True(helpCode == 0, help);
        foreach (var verb in new[] { "info", "tree", "export", "import", "create", "copy", "stats", "verify", "resize", "attrs" })
        {
            Assert.Contains($"  {verb} ", help, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Directory.Build.targets on a throw-away repository: each commit gives the next version, a suffix is appended, a
    /// version given with -p:Version is kept, and without git the version is 0.1.0. (MSBuild runs the version target
    /// alone and reports the properties it set; nothing is compiled.)
    /// </summary>
    [Fact]
    public async Task TheVersionIsTheCommitCountAndFallsBackWithoutGit()
    {
        var root = RepositoryRoot();
        var repository = _temp.Combine("versioned");
        Directory.CreateDirectory(repository);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
        {
            File.Copy(Path.Combine(root, file), Path.Combine(repository, file));
        }

        await File.WriteAllTextAsync(Path.Combine(repository, "Probe.csproj"), """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><IsPackable>true</IsPackable></PropertyGroup></Project>""");
        async Task<string> VersionAsync(params string[] properties)
        {
            var (code, output) = await RunAsync("dotnet", ["msbuild", "Probe.csproj", "-t:ZarrVersion", "-getProperty:PackageVersion", .. properties], repository);
            Assert.True(code == 0, output);
            return output.Trim();
        }

        async Task CommitAsync()
        {
            var (code, output) = await RunAsync("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "--allow-empty", "-q", "-m", "a commit"], repository);
            Assert.True(code == 0, output);
        }

        Assert.Equal("0.1.0", await VersionAsync());
        Assert.Equal(0, (await RunAsync("git", ["init", "-q"], repository)).ExitCode);
        await CommitAsync();
        Assert.Equal("0.1.1", await VersionAsync());
        await CommitAsync();
        await CommitAsync();
        Assert.Equal("0.1.3", await VersionAsync());
        Assert.Equal("0.1.3-preview", await VersionAsync("-p:VersionSuffix=preview"));
        Assert.Equal("2.0.0", await VersionAsync("-p:Version=2.0.0"));
    }

    /// <summary>What Directory.Build.targets makes the version of this checkout: 0.1.(commit count), or 0.1.0 without git.</summary>
    private static async Task<string> RepositoryVersionAsync(string root)
    {
        if (!Path.Exists(Path.Combine(root, ".git")))
        {
            return "0.1.0";
        }

        var (code, count) = await RunAsync("git", ["rev-list", "--count", "HEAD"], root);
        Assert.True(code == 0, count);
        return $"0.1.{count.Trim()}";
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
