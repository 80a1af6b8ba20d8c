/**
 * @brief   Self-checking bench of neuron.sv.
 * @author  e3ne
 * @description
 *  Reads N_IN input beats from in.mem, each word {theta lanes, beta lanes, V lanes}
 *  (V lane p at [p*ACC_W +: ACC_W], beta lane p at [PE*ACC_W + p*B_W +: B_W], theta lane
 *  p at [PE*(ACC_W+B_W) + p*TH_W +: TH_W]) and N_OUT expected beats from exp.mem (PE
 *  lanes of T bits, or of OUT_W bits when OUTPUT = 1), written by tests/hw/test_neuron.py.
 *  stream_source idles GAP % of the cycles and stream_sink holds ordy low BP % of the
 *  cycles (plusargs +GAP=, +BP= override).  stream_sink checks every beat in order, the
 *  output handshake rules (valid and payload held until the transfer and not changing
 *  with ordy, no X) and extra beats; bench_ctl reports missing beats, inputs not taken
 *  and a watchdog (IDLE cycles without a transfer), prints CYCLES, then PASS or FAIL,
 *  and calls $finish.
 */
module neuron_tb #(
	parameter int PE = 2,       // lanes
	parameter int ACC_W = 12,   // V width
	parameter int F = 1,        // layer shift
	parameter int B_W = 8,      // beta width
	parameter int TH_W = 6,     // theta width
	parameter int T = 4,        // activation bits
	parameter int OUTPUT = 0,   // 1: output layer (U out)
	parameter int OUT_W = 16,   // U lane width when OUTPUT = 1
	parameter int N_IN = 64,    // input beats in in.mem
	parameter int N_OUT = 64,   // expected beats in exp.mem
	parameter int GAP = 30,     // % of cycles the source idles (or plusarg +GAP=)
	parameter int BP = 30,      // % of cycles the sink is not ready (or plusarg +BP=)
	parameter int SEED = 1,     // $urandom seed
	parameter int IDLE = 2000,  // give up after this many cycles without any transfer
	parameter     NAME = "neuron_tb"  // tag in the messages
);
	localparam int IW = PE*(ACC_W + B_W + TH_W);
	localparam int OW = PE*((OUTPUT != 0)? OUT_W : T);

	logic  clk, rst, irdy, ivld, ordy, ovld;
	logic [IW-1:0]  idat;
	logic [OW-1:0]  odat;

	neuron #(
		.PE(PE), .ACC_W(ACC_W), .F(F), .B_W(B_W), .TH_W(TH_W), .T(T), .OUTPUT(OUTPUT), .OUT_W(OUT_W)
	) dut (
		.clk, .rst,
		.irdy, .ivld,
		.idat(idat[PE*ACC_W-1:0]),
		.ibias(idat[PE*(ACC_W+B_W)-1:PE*ACC_W]),
		.ithr(idat[IW-1:PE*(ACC_W+B_W)]),
		.ordy, .ovld, .odat
	);

	// in.mem -> DUT -> exp.mem
	stream_bench #(.IW(IW), .OW(OW), .N_IN(N_IN), .N_OUT(N_OUT), .GAP(GAP), .STALL(BP),
		.SEED(SEED), .DRAIN(IDLE / 2), .IDLE(IDLE), .NAME(NAME)) tb (
		.clk, .rst, .irdy, .ivld, .idat, .ordy, .ovld, .odat, .avail(N_OUT), .errors(0)
	);

endmodule : neuron_tb
