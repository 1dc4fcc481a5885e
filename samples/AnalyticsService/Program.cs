using Zarr.AnalyticsService;

// AnalyticsService [DATA_FOLDER] [--urls URLS] [--Key value ...]
// Serves the data folder (default: the current folder) at the URLs set the standard ASP.NET Core way: "Urls" in
// appsettings.json, ASPNETCORE_URLS, or --urls; http://127.0.0.1:5080 when none is. The arguments after the folder are
// the host's (any configuration key).
var dataFolder = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
var options = new ServiceOptions { DataRoot = Path.GetFullPath(dataFolder ?? Directory.GetCurrentDirectory()) };
var app = AnalyticsApp.Create(options, dataFolder is null ? args : args[1..]);
await app.RunAsync().ConfigureAwait(false);
