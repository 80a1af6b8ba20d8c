/**
 * @brief   Successive-subtraction neuron for PE channels at once.
 * @author  e3ne
 * @description
 *  Per lane p (channel), with signed V (ACC_W bits), signed bias beta (B_W bits) and
 *  positive threshold theta (TH_W bits, theta >= 1):
 *      U = V * 2^F + beta                                    (exact, U_W bits)
 *  Hidden layer (OUTPUT = 0), the T-bit activation
 *      q = clamp(floor(U / theta), 0, 2^T - 1)
 *  computed as a radix spiking neuron: for t = 0 .. T-1 it fires s_t = 1 and subtracts
 *  theta * 2^(T-1-t) when U >= theta * 2^(T-1-t); q = sum_t s_t * 2^(T-1-t).  The first
 *  step also flags U < 0 (q = 0) and U >= theta * 2^T (q = 2^T - 1).
 *  Output layer (OUTPUT = 1): lane p carries U itself, signed, OUT_W bits; with
 *  OUTPUT = 2 (the model's output layer ends in a ReLU) it carries max(U, 0).
 *
 *  Streams (one beat = PE lanes, lane p at [p*width +: width]):
 *      idat  = V lanes (ACC_W),  ibias = beta lanes (B_W),  ithr = theta lanes (TH_W),
 *      odat  = q lanes (T bits) or U lanes (OUT_W bits, two's complement).
 *  Fully pipelined, one beat per cycle: latency T+1 cycles (hidden) or 1 (output layer).
 *  Shifts, adds and compares only, no multiplier.
 */
module neuron #(
	parameter int PE = 1,        // lanes (channels) per beat
	parameter int ACC_W = 16,    // width of V, signed
	parameter int F = 0,         // layer shift, U = V*2^F + beta
	parameter int B_W = 8,       // width of beta, signed
	parameter int TH_W = 8,      // width of theta, unsigned, theta >= 1
	parameter int T = 4,         // activation bits (hidden layer)
	parameter int OUTPUT = 0,    // 1: output layer, emit U instead of q; 2: emit max(U, 0)
	parameter int OUT_W = ((ACC_W + F > B_W)? ACC_W + F : B_W) + 1,  // width of U lanes (OUTPUT != 0)
	localparam int ODW = (OUTPUT != 0)? OUT_W : T  // output lane width
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,

	// Input Stream
	output	logic  irdy,
	input	logic  ivld,
	input	logic [PE*ACC_W-1:0]  idat,
	input	logic [PE*B_W-1:0]  ibias,
	input	logic [PE*TH_W-1:0]  ithr,

	// Output Stream
	input	logic  ordy,
	output	logic  ovld,
	output	logic [PE*ODW-1:0]  odat
);

	localparam int U_W = ((ACC_W + F > B_W)? ACC_W + F : B_W) + 1;  // exact width of U
	localparam int RW = TH_W + T;                                 // remainder, 0 <= rem < theta*2^T
	localparam int CW = ((U_W > RW + 1)? U_W : RW + 1) + 1;      // signed compare width, stage 1

	initial begin
		if (PE < 1 || ACC_W < 2 || B_W < 1 || TH_W < 1 || T < 1 || F < 0) begin
			$error("%m: PE (%0d) >= 1, ACC_W (%0d) >= 2, B_W (%0d) >= 1, TH_W (%0d) >= 1, T (%0d) >= 1, F (%0d) >= 0 required",
				PE, ACC_W, B_W, TH_W, T, F);
			$finish;
		end
		if (OUTPUT < 0 || OUTPUT > 2) begin
			$error("%m: OUTPUT (%0d) must be 0 (hidden), 1 (output: U) or 2 (output: max(U, 0))", OUTPUT);
			$finish;
		end
		if (OUTPUT != 0 && OUT_W < 2) begin
			$error("%m: OUT_W (%0d) must be >= 2", OUT_W);
			$finish;
		end
	end

	// Stage 0: U = V*2^F + beta
	logic  en;
	logic  V0;
	logic [PE*U_W-1:0]  U0;
	logic  last_vld;      // valid of the final stage

	assign	en = !last_vld || ordy;
	assign	irdy = en;
	assign	ovld = last_vld;

	always_ff @(posedge clk) begin
		if (rst)  V0 <= 0;
		else if (en)  V0 <= ivld;
	end
	always_ff @(posedge clk) begin
		if (en) begin
			for (int p = 0; p < PE; p++) begin
				U0[p*U_W +: U_W] <= (U_W'($signed(idat[p*ACC_W +: ACC_W])) <<< F) + U_W'($signed(ibias[p*B_W +: B_W]));
			end
		end
	end

	if (OUTPUT != 0) begin : genOutput
		logic  unused_thr;
		assign	unused_thr = ^ithr;
		assign	last_vld = V0;
		for (genvar p = 0; p < PE; p++) begin : genLane
			if (OUTPUT == 2) begin : genRelu
				assign	odat[p*ODW +: ODW] = U0[p*U_W + U_W-1]? '0 : ODW'($signed(U0[p*U_W +: U_W]));
			end : genRelu
			else begin : genU
				assign	odat[p*ODW +: ODW] = ODW'($signed(U0[p*U_W +: U_W]));
			end : genU
		end : genLane
	end : genOutput
	else begin : genHidden
		// Stages 1 .. T: stage k holds the result of compare-subtract step t = k-1.
		// Flat vectors, stage k at slice k-1.
		logic [PE*TH_W-1:0]  Th0;        // theta beside U0
		logic [T-1:0]  Vs;
		logic [T*PE*RW-1:0]  Rem;        // remainder after the step
		logic [T*PE*TH_W-1:0]  Th;
		logic [T*PE*T-1:0]  Q;           // spikes so far, latest in bit 0
		logic [T*PE-1:0]  Neg;           // U < 0
		logic [T*PE-1:0]  Sat;           // U >= theta*2^T

		logic [T*PE*RW-1:0]  rem_nx;
		logic [T*PE*T-1:0]  q_nx;
		logic [T*PE-1:0]  neg_nx;
		logic [T*PE-1:0]  sat_nx;

		always_comb begin : blkSteps
			logic signed [CW-1:0]  u, th, d_sat, d_fire;
			logic [RW-1:0]  r, step;
			logic [RW:0]  d;
			for (int p = 0; p < PE; p++) begin
				// step t = 0 from U, with the range flags; each compare is the sign
				// (borrow) of the subtraction it guards, so it shares its carry chain
				u = CW'($signed(U0[p*U_W +: U_W]));
				th = $signed(CW'(Th0[p*TH_W +: TH_W]));
				d_sat = u - (th <<< T);
				d_fire = u - (th <<< (T-1));
				neg_nx[p] = u[CW-1];
				sat_nx[p] = !d_sat[CW-1];
				rem_nx[p*RW +: RW] = RW'(d_fire[CW-1]? u : d_fire);
				q_nx[p*T +: T] = T'(!d_fire[CW-1]);
				// steps t = 1 .. T-1 from the previous stage: 0 <= r < theta*2^(T-t)
				for (int k = 1; k < T; k++) begin
					r = Rem[((k-1)*PE + p)*RW +: RW];
					step = RW'(Th[((k-1)*PE + p)*TH_W +: TH_W]) << (T-1-k);
					d = {1'b0, r} - {1'b0, step};
					rem_nx[(k*PE + p)*RW +: RW] = d[RW]? r : d[RW-1:0];
					q_nx[(k*PE + p)*T +: T] = (Q[((k-1)*PE + p)*T +: T] << 1) | T'(!d[RW]);
					neg_nx[k*PE + p] = Neg[(k-1)*PE + p];
					sat_nx[k*PE + p] = Sat[(k-1)*PE + p];
				end
			end
		end : blkSteps

		always_ff @(posedge clk) begin
			if (rst)  Vs <= '0;
			else if (en)  Vs <= (Vs << 1) | T'(V0);
		end
		always_ff @(posedge clk) begin
			if (en) begin
				Th0 <= ithr;
				Rem <= rem_nx;
				Q <= q_nx;
				Neg <= neg_nx;
				Sat <= sat_nx;
				Th <= (Th << (PE*TH_W)) | (T*PE*TH_W)'(Th0);
			end
		end

		assign	last_vld = Vs[T-1];
		for (genvar p = 0; p < PE; p++) begin : genLane
			assign	odat[p*T +: T] =
				Neg[(T-1)*PE + p]? '0 :
				Sat[(T-1)*PE + p]? '1 : Q[((T-1)*PE + p)*T +: T];
		end : genLane
	end : genHidden

endmodule : neuron
