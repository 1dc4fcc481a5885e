namespace Zarr.Dataflow;

/// <summary>
/// A progress sink that also follows each stage while a pipeline runs: given as <see cref="PipelineOptions.Progress"/>,
/// it receives, besides every <see cref="PipelineProgress"/>, the run's report so far at the same moments (per stage:
/// items, busy and waiting time; chunks in flight and pooled memory), and the final report. A dashboard shows these, so
/// what it shows is what the run reports at its end.
/// </summary>
public interface IPipelineObserver : IProgress<PipelineProgress>
{
    /// <summary>
    /// The run's report so far (<see cref="PipelineReport.IsFinal"/> false), at most once per
    /// <see cref="PipelineOptions.ProgressInterval"/>; and, when the run ends (successfully or not), its final report.
    /// Called from the pipeline's workers: keep it short.
    /// </summary>
    /// <param name="report">The report.</param>
    void ReportStages(PipelineReport report);
}
