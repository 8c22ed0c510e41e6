IngestBench.main()
