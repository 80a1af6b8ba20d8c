/******************************************************************************
 * @brief   Self-checking bench for stream_dwc.
 * @author  e3ne
 *
 * @description
 *  Sends the N input beats of STIM_FILE (IN_LANES random lanes each) with
 *  random input gaps (IGAP % of cycles idle) and random output back-pressure
 *  (ordy low OSTALL % of cycles). EXP_FILE holds the same lanes in stream
 *  order (lane 0 of a beat first) cut into N*IN_LANES/OUT_LANES output beats,
 *  lane 0 at odat[0 +: LANE_W]; both files are written by
 *  tests/hw/test_stream_dwc.py. stream_sink scores every output beat, checks
 *  the output handshake (rules 2 and 3 of src/e3ne/hw/README.md, X) and flags
 *  a spurious beat: ovld while fewer than OUT_LANES lanes are outstanding or
 *  offered. N*IN_LANES must be a multiple of OUT_LANES.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles). STANDALONE = 1 ends with $finish; with
 *  STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module stream_dwc_tb #(
	parameter int IN_LANES   = 4,     // DUT: lanes per input beat
	parameter int OUT_LANES  = 1,     // DUT: lanes per output beat
	parameter int LANE_W     = 8,     // DUT: bits per lane
	parameter int N          = 1200,  // input beats in STIM_FILE
	parameter     STIM_FILE  = "stim.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,    // % of cycles the source idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_dwc_tb"  // tag in the messages
);

	localparam int IN_W  = IN_LANES * LANE_W;
	localparam int OUT_W = OUT_LANES * LANE_W;
	localparam int N_OUT = N * IN_LANES / OUT_LANES;  // output beats expected

	logic  clk, rst, irdy, ivld, ordy, ovld, Done, Ok;
	logic [IN_W-1:0]   idat;
	logic [OUT_W-1:0]  odat;
	int  Sent;

	stream_dwc #(.IN_LANES(IN_LANES), .OUT_LANES(OUT_LANES), .LANE_W(LANE_W)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	// output beats the DUT may show: from the lanes taken, plus those of an
	// offered beat that a zero-latency (IN_LANES == OUT_LANES) DUT passes through
	stream_bench #(.IW(IN_W), .OW(OUT_W), .N_IN(N), .N_OUT(N_OUT), .STIM_FILE(STIM_FILE),
		.EXP_FILE(EXP_FILE), .GAP(IGAP), .STALL(OSTALL), .SEED(SEED),
		.LIMIT(100 * (N + N_OUT) + 1000), .STANDALONE(STANDALONE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat,
		.avail((Sent + (ivld ? 1 : 0)) * IN_LANES / OUT_LANES), .errors(0), .sent(Sent),
		.done(Done), .ok(Ok)
	);

	initial begin
		$display("%s: IN_LANES=%0d OUT_LANES=%0d LANE_W=%0d, %0d beats",
			NAME, IN_LANES, OUT_LANES, LANE_W, N);
		if ((N * IN_LANES) % OUT_LANES != 0) begin
			$display("FAIL %s: N*IN_LANES (%0d) is not a multiple of OUT_LANES (%0d)",
				NAME, N * IN_LANES, OUT_LANES);
			$finish;
		end
	end

endmodule : stream_dwc_tb
