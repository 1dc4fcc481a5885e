namespace Zarr.Storage.Internal;

/// <summary>Node paths inside a store: "" for the root, else '/'-separated names with no leading or trailing '/'.</summary>
internal static class NodePaths
{
    /// <summary>Strips leading and trailing slashes; refuses empty, '.' and '..' segments.</summary>
    public static string Normalize(string? path)
    {
        var p = (path ?? "").Trim('/');
        if (p.Length == 0)
        {
            return "";
        }

        foreach (var segment in p.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Contains('\\', StringComparison.Ordinal) || segment.Contains('\0', StringComparison.Ordinal))
            {
                throw new ZarrException($"{UserText.Quote(path)} is not a valid node path (empty, '.' or '..' segments, backslashes and NUL are not allowed)");
            }
        }

        return p;
    }

    /// <summary>The key prefix of a node's contents: "" for the root, else "path/".</summary>
    public static string Prefix(string path) => path.Length == 0 ? "" : path + "/";

    /// <summary>The key of a document inside a node.</summary>
    public static string Key(string path, string name) => Prefix(path) + name;

    /// <summary>The path of a child node.</summary>
    public static string Child(string path, string name) => path.Length == 0 ? name : path + "/" + name;
}
