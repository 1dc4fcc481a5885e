using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs.Registry;

/// <summary>Reads and writes configuration records through their type information, with errors that name the field.</summary>
internal static class CodecConfigurationJson
{
    private static readonly JsonObject Empty = [];

    public static T Read<T>(JsonObject? configuration, JsonTypeInfo<T> typeInfo, CodecReadContext context)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            return (configuration ?? Empty).Deserialize(typeInfo)
                ?? throw context.Error(string.Empty, "must be an object");
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var property = typeInfo.Properties.FirstOrDefault(p => p.Name == field);
            var value = configuration is not null && field.Length > 0 ? configuration[field] : configuration;
            throw context.Error(field, $"{Expected(property?.PropertyType)}; got {UserText.Json(value)}");
        }
    }

    public static JsonObject Write<T>(T configuration, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var json = new JsonObject();
        foreach (var property in typeInfo.Properties)
        {
            var value = property.Get?.Invoke(configuration);
            switch (value)
            {
                case null:
                    break;
                case JsonNode node:
                    // As read, so a number keeps its text (an integer stays an integer).
                    json[property.Name] = node.DeepClone();
                    break;
                case int number:
                    json[property.Name] = number;
                    break;
                case string text:
                    json[property.Name] = text;
                    break;
                case bool flag:
                    json[property.Name] = flag;
                    break;
                case int[] numbers:
                    json[property.Name] = new JsonArray([.. numbers.Select(n => (JsonNode)n)]);
                    break;
                default:
                    json[property.Name] = JsonSerializer.SerializeToNode(value, typeInfo.Options.GetTypeInfo(value.GetType()));
                    break;
            }
        }

        return json;
    }

    /// <summary>The top-level field a reader's path names: <c>$.order[1]</c> → <c>order</c>, <c>$['a b']</c> → <c>a b</c>.</summary>
    private static string FieldOf(string? path)
    {
        if (path is null || path.Length < 2)
        {
            return string.Empty;
        }

        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var close = path.IndexOf("']", 3, StringComparison.Ordinal);
            return close < 0 ? path[3..] : path[3..close];
        }

        var rest = path.AsSpan(2);
        var end = rest.IndexOfAny('.', '[');
        return (end < 0 ? rest : rest[..end]).ToString();
    }

    private static string Expected(Type? type) =>
        (Nullable.GetUnderlyingType(type ?? typeof(object)) ?? type) switch
        {
            { } t when t == typeof(string) => "must be a string",
            { } t when t == typeof(int) || t == typeof(long) => "must be an integer",
            { } t when t == typeof(bool) => "must be true or false",
            { } t when t == typeof(int[]) || t == typeof(long[]) => "must be an array of integers",
            { } t when t == typeof(double) => "must be a finite number",
            _ => "is not valid",
        };
}

/// <summary>
/// An <see cref="int"/> from a JSON number, also one written with a fraction or exponent that is a whole number
/// (<c>5.0</c>, <c>1e2</c>), as Python's json may write it; anything else is a <see cref="JsonException"/>.
/// </summary>
internal sealed class WholeNumberInt32Converter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt32(out var value))
            {
                return value;
            }

            if (reader.TryGetDouble(out var d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            {
                return (int)d;
            }
        }

        throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
