namespace Zarr.Cli;

/// <summary>The command line was wrong: a bad option value, a grammar error, a combination the format cannot hold. Exit status 2.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception with the one-line message the user sees.</summary>
    public UsageException(string message) : base(message) { }

    /// <summary>Creates the exception with the one-line message the user sees and its cause.</summary>
    public UsageException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The work failed for a reason the CLI itself found (not the library): exit status 1.</summary>
internal sealed class CliException : Exception
{
    /// <summary>Creates the exception with the one-line message the user sees.</summary>
    public CliException(string message) : base(message) { }

    /// <summary>Creates the exception with the one-line message the user sees and its cause.</summary>
    public CliException(string message, Exception? innerException) : base(message, innerException) { }
}
