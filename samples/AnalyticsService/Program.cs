using Zarr.AnalyticsService;

// Serves the data folder given as the first argument (default: the current folder) on http://127.0.0.1:5080 only.
var options = new ServiceOptions { DataRoot = args.Length > 0 ? Path.GetFullPath(args[0]) : Directory.GetCurrentDirectory() };
var app = AnalyticsApp.Create(options);
app.Urls.Add("http://127.0.0.1:5080");
await app.RunAsync().ConfigureAwait(false);
