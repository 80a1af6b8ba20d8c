/******************************************************************************
 * @brief   Self-checking bench for argmax_unit, driven by hex files.
 * @author  e3ne
 *
 * @description
 *  STIM_FILE holds N_IN input beats (LANES*SCORE_W bits each, one hex word a
 *  line): the score beats of N_IN/BEATS images, written by
 *  tests/hw/test_argmax_unit.py. EXP_FILE holds the N_OUT expected output
 *  beats as {olast, odat} (1 + LANES*SCORE_W bits), computed there: each
 *  image's score beats, then its class beat (argmax, lowest index wins ties,
 *  DESIGN.md §2). stream_source sends the stimuli with random gaps (IGAP % of
 *  cycles idle); stream_sink holds the output back at random (ordy low
 *  OSTALL % of cycles), compares every output beat {olast, odat} in order
 *  (naming it by image), checks the output handshake on valid and the whole
 *  payload (rules 2 and 3 of src/e3ne/hw/README.md, X) and flags spurious
 *  beats after the last one.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles, inputs not taken). STANDALONE = 1 ends with
 *  $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module argmax_unit_tb #(
	parameter int N_CLASSES  = 10,   // DUT: scores per image
	parameter int LANES      = 2,    // DUT: scores per beat
	parameter int SCORE_W    = 8,    // DUT: bits per score
	parameter int N_IN       = 5,    // input beats in STIM_FILE
	parameter int N_OUT      = 6,    // output beats in EXP_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,   // % of cycles the source idles
	parameter int OSTALL     = 30,   // % of cycles the sink holds ordy low
	parameter int SEED       = 1,    // $urandom seed
	parameter int STANDALONE = 1,    // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "argmax_unit_tb"  // tag in the messages
);

	localparam int DW    = LANES * SCORE_W;
	localparam int BEATS = N_CLASSES / LANES;  // score beats per image

	logic  clk, rst, irdy, ivld, ordy, ovld, olast, Done, Ok;
	logic [DW-1:0]  idat, odat;

	argmax_unit #(.N_CLASSES(N_CLASSES), .LANES(LANES), .SCORE_W(SCORE_W)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat, .olast
	);

	// the payload is {olast, odat}; a group is an image: BEATS score beats, a class beat
	stream_bench #(.IW(DW), .OW(DW + 1), .N_IN(N_IN), .N_OUT(N_OUT), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .GROUP(BEATS + 1), .SEED(SEED),
		.LIMIT(100 * (N_IN + N_OUT) + 1000), .STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat({olast, odat}), .avail(N_OUT),
		.errors(0), .done(Done), .ok(Ok)
	);

	initial $display("%s: N_CLASSES=%0d LANES=%0d SCORE_W=%0d, %0d beats in, %0d out",
		NAME, N_CLASSES, LANES, SCORE_W, N_IN, N_OUT);

endmodule : argmax_unit_tb
