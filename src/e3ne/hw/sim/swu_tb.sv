/**
 * @brief   Self-checking bench of swu.sv.
 * @author  e3ne
 * @description
 *  Reads the input beats from in.mem (N_IN words of CH*T bits) and the expected window
 *  beats from exp.mem (N_OUT words of SIMD*T bits), both written by tests/hw/test_swu.py
 *  into the working directory.  stream_source idles GAP % of the cycles and stream_sink
 *  holds ordy low BP % of the cycles, both from $urandom (plusargs +GAP=, +BP= override).
 *  stream_sink checks every output beat in order, the handshake rules on the output
 *  (valid and payload held until the transfer and not changing with ordy, no X) and
 *  extra beats; bench_ctl reports missing beats, inputs not taken and a watchdog (IDLE
 *  cycles without a transfer), prints "CYCLES <NAME> <first input to last output> ...",
 *  then PASS or FAIL, and calls $finish.
 */
module swu_tb #(
	parameter int K = 3,        // kernel
	parameter int S = 1,        // stride
	parameter int P = 0,        // padding
	parameter int KW = K,       // kernel columns
	parameter int SW = S,       // horizontal stride
	parameter int PW = P,       // horizontal padding
	parameter int H = 8,        // input height
	parameter int WD = 8,       // input width
	parameter int C = 1,        // channels
	parameter int CH = 1,       // input channels per beat
	parameter int T = 4,        // activation bits
	parameter int SIMD = 1,     // output elements per beat
	parameter int N_IN = 64,    // input beats in in.mem
	parameter int N_OUT = 36,   // output beats in exp.mem
	parameter int GAP = 30,     // % of cycles the source idles (or plusarg +GAP=)
	parameter int BP = 30,      // % of cycles the sink is not ready (or plusarg +BP=)
	parameter int SEED = 1,     // $urandom seed
	parameter int IDLE = 2000,  // give up after this many cycles without any transfer
	parameter     NAME = "swu_tb"  // tag in the messages
);
	localparam int IW = CH*T;
	localparam int OW = SIMD*T;

	logic  clk, rst, irdy, ivld, ordy, ovld;
	logic [IW-1:0]  idat;
	logic [OW-1:0]  odat;

	swu #(
		.K(K), .S(S), .P(P), .KW(KW), .SW(SW), .PW(PW), .H(H), .WD(WD), .C(C), .CH(CH), .T(T), .SIMD(SIMD)
	) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.ordy, .ovld, .odat
	);

	// in.mem -> DUT -> exp.mem
	stream_bench #(.IW(IW), .OW(OW), .N_IN(N_IN), .N_OUT(N_OUT), .GAP(GAP), .STALL(BP),
		.SEED(SEED), .DRAIN(IDLE / 2), .IDLE(IDLE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat, .avail(N_OUT), .errors(0)
	);

endmodule : swu_tb
