using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Zarr.Storage;

/// <summary>
/// The Linux calls that name a file relative to an open folder (<c>openat</c>, <c>openat2</c>, <c>mkdirat</c>,
/// <c>renameat</c>, <c>unlinkat</c>, <c>readdir</c>), which .NET does not offer: with them a store checks that a path
/// holds no symbolic link and uses it in one step, so a folder swapped for a link meanwhile cannot redirect it.
/// </summary>
/// <remarks>Paths are passed as NUL-terminated UTF-8 bytes, names read from a folder as the bytes they are. Every call
/// returns -1 (or null) on failure, with the error in <see cref="Marshal.GetLastPInvokeError"/>.</remarks>
internal static unsafe partial class LinuxFolderCalls
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int EPERM = 1;
    public const int EWOULDBLOCK = 11;
    public const int EACCES = 13;

    public const int AtRemoveDir = 0x200;

    private const int OWrOnly = 1;
    private const int ORdWr = 2;
    private const int LockExclusive = 2;
    private const int OfdSetLock = 37;
    private const short WriteLock = 1;
    private const short Unlocked = 2;
    private const int AtFdCwd = -100;
    private const uint StatxBasic = 0x7FF;
    private const int LockNonBlocking = 4;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxNLink = 0x4;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OCloExec = 0x80000;
    private const long OpenAt2SysCall = 437;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;

    // O_DIRECTORY and O_NOFOLLOW are the two flags that differ between the architectures used here.
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>True where these calls can be used: Linux on x64 or Arm64 (whose flag values are the ones above).</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    private static int FolderFlags => ODirectory | ONoFollow | OCloExec;

    /// <summary>Opens the folder <paramref name="path"/> itself (following links: the root is the user's choice).</summary>
    public static SafeFileHandle OpenRoot(string path)
    {
        fixed (byte* p = Utf8(path))
        {
            return Wrap(OpenAt(-100, p, ODirectory | OCloExec, 0));
        }
    }

    /// <summary>Opens the folder <paramref name="relative"/> below <paramref name="folder"/>, refusing with ELOOP a
    /// symbolic link in any of its segments (and with EXDEV a path that would leave <paramref name="folder"/>).</summary>
    public static SafeFileHandle OpenBeneath(SafeFileHandle folder, string relative)
    {
        var how = new OpenHow { Flags = (ulong)(ODirectory | OCloExec), Resolve = ResolveNoSymlinks | ResolveBeneath };
        fixed (byte* p = Utf8(relative))
        {
            return Wrap((int)SysCall(OpenAt2SysCall, Fd(folder), p, &how, (nuint)sizeof(OpenHow)));
        }
    }

    /// <summary>Opens the child folder <paramref name="name"/> of <paramref name="folder"/>, refusing a link with ELOOP.</summary>
    public static SafeFileHandle OpenChildFolder(SafeFileHandle folder, ReadOnlySpan<byte> name)
    {
        fixed (byte* p = Terminated(name))
        {
            return Wrap(OpenAt(Fd(folder), p, FolderFlags, 0));
        }
    }

    /// <summary>Creates the new file <paramref name="name"/> in <paramref name="folder"/> for writing (never through a link).</summary>
    public static SafeFileHandle CreateFile(SafeFileHandle folder, string name)
    {
        fixed (byte* p = Utf8(name))
        {
            return Wrap(OpenAt(Fd(folder), p, OWrOnly | OCreat | OExcl | ONoFollow | OCloExec, 0x1B6));
        }
    }

    /// <summary>Opens the file <paramref name="name"/> in <paramref name="folder"/> for reading and writing, creating it when
    /// missing (never through a link): a lock file, which is never written, only locked.</summary>
    public static SafeFileHandle OpenOrCreateFile(SafeFileHandle folder, string name)
    {
        fixed (byte* p = Utf8(name))
        {
            return Wrap(OpenAt(Fd(folder), p, ORdWr | OCreat | ONoFollow | OCloExec, 0x1B6));
        }
    }

    /// <summary>Takes the exclusive advisory lock (<c>flock</c>) of <paramref name="file"/> if no one holds it; 0, or -1
    /// (<see cref="EWOULDBLOCK"/>: held by another open of the file, in this process or another). The system releases it
    /// when the file is closed, and when the process dies.</summary>
    public static int TryLockExclusive(SafeFileHandle file) => FLock(Fd(file), LockExclusive | LockNonBlocking);

    /// <summary>
    /// Takes the exclusive open-file-description lock (<c>fcntl(F_OFD_SETLK)</c>) of the bytes [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="length"/>) of <paramref name="file"/> (length 0: to the end and beyond)
    /// if no other open of the file holds any of them; 0, or -1 (<see cref="EWOULDBLOCK"/> or <see cref="EACCES"/>: held).
    /// Opens of the same description (this handle) never conflict with each other; the system releases the lock when the
    /// last descriptor of the open is closed, and when the process dies.
    /// </summary>
    public static int TryLockRange(SafeFileHandle file, long start, long length)
    {
        var range = new FileLock { Type = WriteLock, Start = start, Length = length };
        return FcntlLock(Fd(file), OfdSetLock, &range);
    }

    /// <summary>Releases the open-file-description lock of the bytes [<paramref name="start"/>, + <paramref name="length"/>); 0 or -1.</summary>
    public static int UnlockRange(SafeFileHandle file, long start, long length)
    {
        var range = new FileLock { Type = Unlocked, Start = start, Length = length };
        return FcntlLock(Fd(file), OfdSetLock, &range);
    }

    /// <summary>
    /// What identifies the value of the file at <paramref name="path"/> now (following links): its device, inode, size and
    /// change and modification times to the nanosecond; false when it cannot be read (missing, say).
    /// </summary>
    public static bool TryGetStamp(string path, out FileStamp stamp)
    {
        var buffer = stackalloc byte[256];
        fixed (byte* p = Utf8(path))
        {
            if (StatX(AtFdCwd, p, 0, StatxBasic, buffer) != 0)
            {
                stamp = default;
                return false;
            }
        }

        stamp = StampOf(buffer);
        return true;
    }

    /// <summary>
    /// What identifies the value of the open <paramref name="file"/> (<c>fstat</c> of the handle: the value a read from
    /// this handle returns, whatever the path holds now); false when it cannot be read.
    /// </summary>
    public static bool TryGetStamp(SafeFileHandle file, out FileStamp stamp)
    {
        var buffer = stackalloc byte[256];
        byte empty = 0;
        if (StatX(Fd(file), &empty, AtEmptyPath, StatxBasic, buffer) != 0)
        {
            stamp = default;
            return false;
        }

        stamp = StampOf(buffer);
        return true;
    }

    // struct statx: stx_ino at 32, stx_size at 40, stx_ctime at 96, stx_mtime at 112 (each {s64 sec; u32 nsec}),
    // stx_dev_major and stx_dev_minor at 136 and 140.
    private static FileStamp StampOf(byte* buffer)
    {
        return new FileStamp(
            ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140),
            *(ulong*)(buffer + 32),
            *(long*)(buffer + 40),
            Nanoseconds(buffer + 96),
            Nanoseconds(buffer + 112));

        static long Nanoseconds(byte* timestamp) => (*(long*)timestamp * 1_000_000_000L) + *(uint*)(timestamp + 8);
    }

    /// <summary>How many names the open file has in the file system (0 once it was unlinked); -1 on failure.</summary>
    public static long LinkCount(SafeFileHandle file)
    {
        // statx has one layout on every architecture (struct stat has not): stx_nlink is the u32 at offset 16.
        var buffer = stackalloc byte[256];
        byte empty = 0;
        return StatX(Fd(file), &empty, AtEmptyPath, StatxNLink, buffer) != 0 ? -1 : *(uint*)(buffer + 16);
    }

    /// <summary>Creates the folder <paramref name="name"/> in <paramref name="folder"/>; 0 or -1.</summary>
    public static int MakeFolder(SafeFileHandle folder, ReadOnlySpan<byte> name)
    {
        fixed (byte* p = Terminated(name))
        {
            return MkDirAt(Fd(folder), p, 0x1FF);
        }
    }

    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/>, both in <paramref name="folder"/>; 0 or -1.</summary>
    public static int Rename(SafeFileHandle folder, string from, string to)
    {
        fixed (byte* f = Utf8(from))
        fixed (byte* t = Utf8(to))
        {
            return RenameAt(Fd(folder), f, Fd(folder), t);
        }
    }

    /// <summary>Removes the file or link (or, with <see cref="AtRemoveDir"/>, the empty folder) <paramref name="name"/>; 0 or -1.</summary>
    public static int Unlink(SafeFileHandle folder, ReadOnlySpan<byte> name, int flags)
    {
        fixed (byte* p = Terminated(name))
        {
            return UnlinkAt(Fd(folder), p, flags);
        }
    }

    /// <summary>Flushes the folder's entries to the disk; 0 or -1.</summary>
    public static int Flush(SafeFileHandle folder) => FSync(Fd(folder));

    /// <summary>The names in <paramref name="folder"/> (without "." and ".."), as their bytes.</summary>
    public static List<byte[]> ListNames(SafeFileHandle folder)
    {
        // fdopendir takes the descriptor it is given: give it one of its own, to the same folder.
        using var own = OpenChildFolder(folder, "."u8);
        if (own.IsInvalid)
        {
            throw LastError("could not list a folder");
        }

        var dir = FdOpenDir(Fd(own));
        if (dir == 0)
        {
            throw LastError("could not list a folder");
        }

        own.SetHandleAsInvalid();
        var names = new List<byte[]>();
        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var entry = ReadDir(dir);
                if (entry == 0)
                {
                    if (Marshal.GetLastPInvokeError() != 0)
                    {
                        throw LastError("could not list a folder");
                    }

                    return names;
                }

                // struct dirent on 64-bit Linux: d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name.
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + 19);
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    names.Add(name.ToArray());
                }
            }
        }
        finally
        {
            _ = CloseDir(dir);
        }
    }

    /// <summary>An <see cref="IOException"/> for the last call's error, its message the system's.</summary>
    public static IOException LastError(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static SafeFileHandle Wrap(int fd) => new(fd, ownsHandle: true);

    private static byte[] Utf8(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static byte[] Terminated(ReadOnlySpan<byte> name)
    {
        var bytes = new byte[name.Length + 1];
        name.CopyTo(bytes);
        return bytes;
    }

    // struct flock on 64-bit Linux: l_type, l_whence (shorts), then l_start, l_len (off_t), l_pid (int; 0 for OFD locks).
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAt(int dirfd, byte* path, int flags, int mode);

    // glibc has no openat2 wrapper; syscall passes its arguments through registers on x64 and Arm64 alike.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SysCall(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    private static partial int MkDirAt(int dirfd, byte* path, int mode);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true)]
    private static partial int RenameAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(int fd, int operation);

    // fcntl is variadic; its third argument here is a pointer, passed as a fixed argument is on x64 and Arm64 Linux.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int command, FileLock* range);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int StatX(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial nint FdOpenDir(int fd);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    private static partial int CloseDir(nint dir);
}
