return await Zarr.Cli.ZarrCommand.RunAsync(args).ConfigureAwait(false);
