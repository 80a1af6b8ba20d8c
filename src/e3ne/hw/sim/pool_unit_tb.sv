/******************************************************************************
 * @brief   Self-checking bench for pool_unit, driven by hex files.
 * @author  e3ne
 *
 * @description
 *  STIM_FILE holds N_IN input beats (SIMD*T bits each, one hex word a line):
 *  the SWU window stream written by tests/hw/test_pool_unit.py. EXP_FILE holds
 *  the N_OUT expected output beats, computed there from the DESIGN.md §2
 *  formulas. stream_source sends the stimuli with random gaps (IGAP % of
 *  cycles idle); stream_sink holds the output back at random (ordy low
 *  OSTALL % of cycles), compares every output beat in order (naming it by
 *  pixel and channel group), checks the output handshake (rules 2 and 3 of
 *  src/e3ne/hw/README.md, X) and flags spurious beats after the last one.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles, inputs not taken). STANDALONE = 1 ends with
 *  $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module pool_unit_tb #(
	parameter int T          = 4,    // DUT: bits per activation
	parameter int C          = 4,    // DUT: channels
	parameter int K          = 2,    // DUT: kernel rows
	parameter int KW         = K,    // DUT: kernel columns
	parameter int SIMD       = 2,    // DUT: channels per beat
	parameter int MODE       = 0,    // DUT: 0 max, 1 avg
	parameter int N_IN       = 16,   // input beats in STIM_FILE
	parameter int N_OUT      = 2,    // output beats in EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,   // % of cycles the source idles
	parameter int OSTALL     = 30,   // % of cycles the sink holds ordy low
	parameter int SEED       = 1,    // $urandom seed
	parameter int STANDALONE = 1,    // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "pool_unit_tb"  // tag in the messages
);

	localparam int DW = SIMD * T;

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic [DW-1:0]  idat, odat;

	pool_unit #(.T(T), .C(C), .K(K), .KW(KW), .SIMD(SIMD), .MODE(MODE)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	// a group is a pixel: C/SIMD beats
	stream_bench #(.IW(DW), .OW(DW), .N_IN(N_IN), .N_OUT(N_OUT), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .GROUP(C / SIMD), .SEED(SEED),
		.LIMIT(100 * (N_IN + N_OUT) + 1000), .STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat, .avail(N_OUT), .errors(0),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: T=%0d C=%0d K=%0d SIMD=%0d MODE=%0d, %0d beats in, %0d out",
		NAME, T, C, K, SIMD, MODE, N_IN, N_OUT);

endmodule : pool_unit_tb
