namespace Zarr.Storage;

/// <summary>Which calls of a <see cref="FaultInjectingStore"/> may fail.</summary>
[Flags]
public enum FaultOperations
{
    /// <summary>No call.</summary>
    None = 0,

    /// <summary>Reads: get (plain and versioned), exists, size.</summary>
    Read = 1,

    /// <summary>Writes: set (plain and conditional).</summary>
    Write = 2,

    /// <summary>Deletes: delete (plain and conditional), delete of a prefix.</summary>
    Delete = 4,

    /// <summary>Listings.</summary>
    List = 8,

    /// <summary>Every call.</summary>
    All = Read | Write | Delete | List,
}

/// <summary>
/// What a <see cref="FaultInjectingStore"/> does to the calls it passes on. Copied when the store is built.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="Seed"/></term><description>0</description></item>
/// <item><term><see cref="FailCall"/></term><description>0: none</description></item>
/// <item><term><see cref="FailureRate"/></term><description>0: none</description></item>
/// <item><term><see cref="Delay"/></term><description>zero</description></item>
/// <item><term><see cref="Operations"/></term><description><see cref="FaultOperations.All"/></description></item>
/// </list>
/// </remarks>
public sealed class FaultInjectingStoreOptions
{
    private long _failCall;
    private double _failureRate;
    private TimeSpan _delay;

    /// <summary>The seed of the choice of failing calls: the same seed fails the same call numbers.</summary>
    public int Seed { get; set; }

    /// <summary>The number (from 1, counting the calls <see cref="Operations"/> selects) of one call that fails; 0 for none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long FailCall
    {
        get => _failCall;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _failCall = value;
        }
    }

    /// <summary>The fraction (0 to 1) of the selected calls that fail with a transient failure, chosen by <see cref="Seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double FailureRate
    {
        get => _failureRate;
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the failure rate is a fraction from 0 to 1");
            }

            _failureRate = value;
        }
    }

    /// <summary>How long each call waits before it is passed on (or fails), as a slow network would make it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Delay
    {
        get => _delay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _delay = value;
        }
    }

    /// <summary>Which calls are counted and may fail (all are delayed). Default <see cref="FaultOperations.All"/>.</summary>
    public FaultOperations Operations { get; set; } = FaultOperations.All;

    internal FaultInjectingStoreOptions Clone() => new()
    {
        Seed = Seed,
        FailCall = FailCall,
        FailureRate = FailureRate,
        Delay = Delay,
        Operations = Operations,
    };
}
