using System.Text.RegularExpressions;

namespace Zarr.Cli.Tests;

/// <summary>docs/cli.md, the command's reference in the repository, names exactly the verbs and options the command has.</summary>
public sealed partial class CliReferenceTests
{
    [Fact]
    public async Task The_reference_names_every_verb_and_every_verb_it_names_exists()
    {
        var reference = await File.ReadAllTextAsync(ReferencePath());
        var documented = VerbRow().Matches(reference).Select(m => m.Groups[1].Value).ToHashSet();
        var help = (await Cli.RunExpectingAsync(0, "--help")).Stdout;
        var commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..];
        var actual = HelpCommand().Matches(commands).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(actual.Count >= 10, help);
        Assert.Equal(actual.Order(), documented.Order());
    }

    [Fact]
    public async Task Every_option_the_reference_names_is_accepted_by_some_verb()
    {
        var reference = await File.ReadAllTextAsync(ReferencePath());
        var supported = reference[..reference.IndexOf("## Not yet", StringComparison.Ordinal)];
        var verbs = VerbRow().Matches(supported).Select(m => m.Groups[1].Value).Distinct().ToList();
        var helps = new List<string>();
        foreach (var verb in verbs)
        {
            helps.Add((await Cli.RunExpectingAsync(0, verb, "--help")).Stdout);
        }

        Assert.True(verbs.Count >= 10, "no verbs found in the reference's table");
        var missing = OptionName().Matches(supported).Select(m => m.Value).Distinct()
            .Where(option => option != "--help" && !helps.Any(h => h.Contains(option, StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, "documented but accepted by no verb: " + string.Join(", ", missing));
    }

    private static string ReferencePath()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Zarr.Dataflow.sln")))
            {
                return Path.Combine(d.FullName, "docs", "cli.md");
            }
        }

        throw new InvalidOperationException("no folder holding Zarr.Dataflow.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `([a-z]+)[ `]", RegexOptions.Multiline)]
    private static partial Regex VerbRow();

    [GeneratedRegex(@"^\s{2}([a-z]+)\s", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();

    [GeneratedRegex(@"--[a-z][a-z-]+")]
    private static partial Regex OptionName();
}
