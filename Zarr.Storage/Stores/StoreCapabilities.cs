using Zarr.Storage.Chunks;

namespace Zarr.Storage;

/// <summary>
/// A store that passes calls on to another store (a view, a wrapper) and so has whatever optional capabilities the store
/// below has, though its own type cannot say so: <see cref="StoreCapabilities"/> asks it for them.
/// </summary>
internal interface IForwardingStore
{
    /// <summary>This store with the store below's conditional writes, or null when the store below has none.</summary>
    IConditionalStore? AsConditional();

    /// <summary>This store's keys locked as the store below locks them, or null when the store below does not lock keys.</summary>
    IKeyLockingStore? AsKeyLocking();

    /// <summary>This store with the store below's versioned reads, or null when the store below has none.</summary>
    IVersionedReadStore? AsVersionedRead();
}

/// <summary>
/// The optional capabilities of a store, the one place the array layer asks for them: conditional writes
/// (<see cref="IConditionalStore"/>), versioned reads (<see cref="IVersionedReadStore"/>) and locks of keys across processes (<see cref="IKeyLockingStore"/>), of the store
/// itself or, through a view or wrapper (<see cref="IForwardingStore"/>: <see cref="PrefixStore"/>), of the store below,
/// so a prefixed directory store locks exactly as the directory store does.
/// </summary>
internal static class StoreCapabilities
{
    /// <summary>The store's conditional writes (keys as the store names them), or null when it has none.</summary>
    public static IConditionalStore? Conditional(IStore store) => store switch
    {
        IConditionalStore conditional => conditional,
        IForwardingStore forwarding => forwarding.AsConditional(),
        _ => null,
    };

    /// <summary>The store's locks of keys across processes (keys as the store names them), or null when it has none.</summary>
    public static IKeyLockingStore? KeyLocking(IStore store) => store switch
    {
        IKeyLockingStore locking => locking,
        IForwardingStore forwarding => forwarding.AsKeyLocking(),
        _ => null,
    };

    /// <summary>The store's versioned reads (<see cref="IVersionedReadStore"/>, keys as the store names them), or null when it
    /// has none or cannot tell versions where it runs.</summary>
    public static IVersionedReadStore? VersionedRead(IStore store) => store switch
    {
        IVersionedReadStore { CanReadVersioned: true } versioned => versioned,
        IVersionedReadStore => null,
        IForwardingStore forwarding => forwarding.AsVersionedRead(),
        _ => null,
    };
}
