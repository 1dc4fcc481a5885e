using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Zarr.Dataflow.Tests;

/// <summary>
/// The README's C# is what a newcomer pastes into a new console app: it must compile with the usings it shows (plus the
/// implicit usings of <c>dotnet new console</c>), and its tour must be what <c>samples/Quickstart</c> runs.
/// </summary>
public partial class ReadmeTests
{
    // What `dotnet new console` (ImplicitUsings) brings into scope without a using line.
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [Fact]
    public void The_code_blocks_of_the_readme_compile_together_with_the_usings_they_show() => AssertCompiles("README.md");

    /// <summary>Each package's README (what nuget.org shows) compiles on its own, as the main README does.</summary>
    [Theory]
    [InlineData("Zarr.Storage/README.md")]
    [InlineData("Zarr.Dataflow/README.md")]
    [InlineData("Zarr.Storage.S3/README.md")]
    [InlineData("Zarr.Storage.Azure/README.md")]
    [InlineData("Zarr.Dataflow.Orleans/README.md")]
    public void The_code_blocks_of_each_package_readme_compile(string readme) => AssertCompiles(readme);

    private static void AssertCompiles(string readme)
    {
        var blocks = CSharpBlocks(File.ReadAllLines(Path.Combine(RepositoryRoot, readme)));
        Assert.NotEmpty(blocks);

        // One program, as a reader who pastes the blocks in order gets: using lines first, the statements after, each
        // line marked with its README line so that an error points into the README.
        var source = new System.Text.StringBuilder();
        foreach (var name in ImplicitUsings)
        {
            source.Append("global using global::").Append(name).Append(";\n");
        }

        foreach (var (line, text) in blocks.SelectMany(b => b.Lines).Where(l => IsUsingDirective(l.Text)))
        {
            source.Append("#line ").Append(line).Append(" \"").Append(readme).Append("\"\n").Append(text).Append('\n');
        }

        foreach (var (line, text) in blocks.SelectMany(b => b.Lines).Where(l => !IsUsingDirective(l.Text)))
        {
            source.Append("#line ").Append(line).Append(" \"").Append(readme).Append("\"\n").Append(text).Append('\n');
        }

        var compilation = CSharpCompilation.Create(
            "ReadmeSnippets",
            [CSharpSyntaxTree.ParseText(source.ToString(), new CSharpParseOptions(LanguageVersion.Latest))],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, $"the C# of {readme} does not compile:\n" + string.Join('\n', errors.Select(Describe)));
    }

    [Fact]
    public void The_tour_is_what_the_quickstart_runs_line_for_line()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("## A tour", StringComparison.Ordinal));
        var end = Array.FindIndex(readme, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        Assert.True(start >= 0 && end > start, "the README has no '## A tour' section");
        var tour = CSharpBlocks(readme[..end]).Where(b => b.Lines[0].Line > start)
            .SelectMany(b => b.Lines).Select(l => (l.Line, Code: Normalize(l.Text))).Where(l => l.Code.Length > 0).ToArray();
        Assert.NotEmpty(tour);

        var program = File.ReadAllLines(Path.Combine(RepositoryRoot, "samples", "Quickstart", "Program.cs"))
            .Select(Normalize).Where(l => l.Length > 0).ToArray();
        var at = 0;
        foreach (var (line, code) in tour)
        {
            var found = Array.IndexOf(program, code, at);
            Assert.True(found >= 0, $"README.md line {line} of the tour is not in samples/Quickstart/Program.cs (after its line {at}, in order):\n{code}");
            at = found + 1;
        }
    }

    /// <summary>The ```csharp blocks: each a list of (1-based README line, text).</summary>
    private static List<(List<(int Line, string Text)> Lines, int Start)> CSharpBlocks(string[] lines)
    {
        var blocks = new List<(List<(int, string)>, int)>();
        List<(int, string)>? current = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (current is null && trimmed == "```csharp")
            {
                current = [];
                blocks.Add((current, i + 1));
            }
            else if (current is not null && trimmed == "```")
            {
                current = null;
            }
            else
            {
                current?.Add((i + 1, lines[i]));
            }
        }

        return blocks;
    }

    private static bool IsUsingDirective(string line) => UsingDirective().IsMatch(line);

    // A line as code: without its trailing comment and with white space folded.
    private static string Normalize(string line)
    {
        var comment = line.IndexOf("//", StringComparison.Ordinal);
        var code = comment >= 0 && !line[..comment].Contains('"', StringComparison.Ordinal) ? line[..comment] : line;
        return Whitespace().Replace(code.Trim(), " ");
    }

    private static string Describe(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        return $"{span.Path} line {span.StartLinePosition.Line + 1}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    // Every assembly the test process runs with: the framework, System.Numerics.Tensors, Zarr.Storage (and its S3 and Azure
    // packages), Zarr.Dataflow.
    private static IEnumerable<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Zarr.Dataflow.Tests", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));

    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Zarr.Dataflow.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"no Zarr.Dataflow.sln above {AppContext.BaseDirectory}");
        }
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?[A-Za-z_][\w.]*\s*(=\s*[\w.<>, ]+)?;\s*(//.*)?$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
