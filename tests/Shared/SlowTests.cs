namespace Zarr.Tests;

/// <summary>
/// The trait of tests that take minutes, install packages or use buffers of hundreds of megabytes:
/// <c>[Trait(SlowTests.Category, SlowTests.Slow)]</c>. Every run (and CI) includes them; a developer leaves them out
/// with <c>dotnet test --filter "Category!=Slow"</c>.
/// </summary>
public static class SlowTests
{
    /// <summary>The trait's name.</summary>
    public const string Category = "Category";

    /// <summary>The trait's value for slow tests.</summary>
    public const string Slow = "Slow";
}
