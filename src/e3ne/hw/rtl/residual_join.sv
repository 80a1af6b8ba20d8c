/**
 * @brief   Residual join: the neuron that closes a residual block, U + M*s, then fire.
 * @author  e3ne
 * @description
 *  Two input streams, beat k of one paired with beat k of the other:
 *      u (irdy, ivld, idat): PE lanes of the body's membrane potentials U, signed U_W bits,
 *          lane p at idat[p*U_W +: U_W];
 *      s (srdy, svld, sdat): PE lanes of the skip s, S_W bits, lane p at
 *          sdat[p*S_W +: S_W]: the activations q_s (S_SIGNED = 0, S_W = T: an identity
 *          shortcut), or a projection shortcut's membrane potentials V_s (S_SIGNED = 1,
 *          two's complement).
 *  Beat k is channel fold nf = k mod NF (NF beats per pixel, channel nf*PE + p in lane p).
 *  Per lane p, exactly:
 *      U2 = U + M * s                            (signed, SW bits, never wraps)
 *      q  = clamp(floor(U2 / theta), 0, 2^T - 1) (the hidden-layer neuron, neuron.sv)
 *  with theta = theta[nf][p] from the threshold ROM, and q on odat[p*T +: T].
 *  M >= 1 is the skip's rescale (a constant: U + M*s is one shift-add per set bit of M,
 *  no multiplier).  Widths, MB = bits of M, SW = max(U_W, MQ_W + 1) + 1 with
 *      unsigned s: MQ_W = bits of M*(2^S_W - 1), the largest M*s, so that
 *          -2^(U_W-1) <= U2 <= 2^(U_W-1) - 1 + M*(2^S_W - 1) < 2^(SW-1);
 *          M*(2^S_W - 1) must be below 2^31 (checked);
 *      signed s:   MQ_W = S_W + MB - 1, as |M*s| <= 2^(S_W + MB - 1).
 *
 *  THRESH_FILE ($readmemh, one hex word a line): NF words of PE*TH_W bits; word nf, bits
 *  [p*TH_W +: TH_W]: theta of channel nf*PE + p, unsigned, >= 1 (the layout of
 *  synaptic_engine.sv's THRESH_FILE).  A mem_ram.sv ROM (STYLE = 0, LUT logic) with a
 *  registered read, addressed by the fold counter and read when a pair is taken.
 *
 *  Handshake: both beats of a pair are taken in the same cycle,
 *      irdy = svld && Credit,    srdy = ivld && Credit,
 *  (ready depends on the other stream's valid, never on ordy).  Credit is a register:
 *  high exactly while fewer than OFD = T + 5 pairs are outstanding (taken, their output
 *  beat not yet taken by the consumer), updated at every edge from the count after it.
 *
 *  Pipeline (a register at every stage boundary; it never stalls, no enable from ordy):
 *   stage A: the input registers (U and s lanes) and the ROM's read register (theta);
 *   neuron.sv (F = 0, a zero bias, ACC_W = SW, OUTPUT = 0): its stage 0 registers
 *       U2 = U + M*s (the shift-adds sit between stage A and that register), then T
 *       compare-subtract stages;
 *   an output FIFO (stream_fifo.sv) of OFD = T + 5 beats.
 *  The credit keeps the FIFO from ever overflowing (the pipeline and the FIFO together
 *  never hold more than OFD beats), so the neuron's ready is tied high; ordy reaches the
 *  FIFO and the credit counter only.
 *
 *  Latency: a pair taken in cycle c (at the edge that ends it) is in stage A in cycle c+1,
 *  in the neuron's stage 0 in c+2, leaves the neuron in c+T+2 and enters the FIFO at the
 *  edge that ends that cycle:
 *      latency T + 3 cycles, input handshake to ovld: output beat k is on ovld/odat first
 *      in cycle max(c_k + T + 3, x_{k-1} + 1), c_k the cycle pair k is taken, x_{k-1}
 *      the cycle output beat k-1 is taken (so the earliest output transfer is T + 3
 *      edges after the input one).
 *  Throughput: one pair per cycle when neither input waits and the consumer is always
 *  ready (at most T + 3 pairs are then outstanding, below OFD); n pairs take n + T + 3
 *  cycles from the first input transfer to the last output transfer, inclusive.
 *
 *  Only control state is reset (stage A's valid, the fold counter, the credit, the
 *  neuron's and the FIFO's valids); data registers are not.
 */
module residual_join #(
	parameter int PE = 1,        // lanes (channels) per beat
	parameter int NF = 1,        // channel folds: beats per pixel
	parameter int U_W = 16,      // width of U, signed
	parameter int T = 4,         // activation bits (q)
	parameter int S_W = T,       // skip lane width
	parameter int S_SIGNED = 0,  // 1: skip lanes are two's complement (a projection's V_s)
	parameter int M = 1,         // skip rescale, >= 1
	parameter int TH_W = 8,      // width of theta, unsigned, theta >= 1
	parameter THRESH_FILE = ""   // threshold ROM image (layout above)
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,

	// Input Stream u (membrane potentials U)
	output	logic  irdy,
	input	logic  ivld,
	input	logic [PE*U_W-1:0]  idat,

	// Input Stream s (the skip: activations q_s, or a projection's V_s)
	output	logic  srdy,
	input	logic  svld,
	input	logic [PE*S_W-1:0]  sdat,

	// Output Stream (activations q)
	input	logic  ordy,
	output	logic  ovld,
	output	logic [PE*T-1:0]  odat
);

	localparam int MB = $clog2(M + 1);                    // bits of M
	localparam int MQ_W = (S_SIGNED != 0)? S_W + MB - 1    // bits of |M*s| (of the largest
		: $clog2(M * ((1 << S_W) - 1) + 1);                 //  M*s when unsigned)
	localparam int SW = ((U_W > MQ_W + 1)? U_W : MQ_W + 1) + 1;  // signed width of U2
	localparam int OFD = T + 5;                            // output FIFO, > pairs in flight
	localparam int CRW = $clog2(OFD + 1);
	localparam int BA_W = ($clog2(NF) > 0)? $clog2(NF) : 1;   // fold address

	initial begin
		if (PE < 1 || NF < 1 || U_W < 2 || T < 1 || M < 1 || TH_W < 1 || S_W < 1 ||
				S_SIGNED < 0 || S_SIGNED > 1 || (S_SIGNED == 1 && S_W < 2)) begin
			$error("%m: PE (%0d) >= 1, NF (%0d) >= 1, U_W (%0d) >= 2, T (%0d) >= 1, M (%0d) >= 1, TH_W (%0d) >= 1, S_W (%0d) >= 1 (2 if signed), S_SIGNED (%0d) 0 or 1 required",
				PE, NF, U_W, T, M, TH_W, S_W, S_SIGNED);
			$finish;
		end
		if (S_SIGNED == 0 && MB + S_W > 31) begin
			$error("%m: M*(2^S_W - 1) must be below 2^31 (M %0d, S_W %0d)", M, S_W);
			$finish;
		end
	end

	//-----------------------------------------------------------------------
	// Handshake: a pair is taken while both are valid and a credit is left.
	logic  Credit;              // fewer than OFD pairs outstanding
	logic [CRW-1:0]  Cr;        // pairs taken whose output beat is not yet taken
	logic [BA_W-1:0]  Nf;       // fold of the next pair
	logic  take;

	assign	irdy = svld && Credit;
	assign	srdy = ivld && Credit;
	assign	take = ivld && svld && Credit;

	wire [CRW-1:0]  cr_nx = Cr + CRW'(take) - CRW'(ovld && ordy);

	always_ff @(posedge clk) begin
		if (rst) begin
			Cr <= '0;
			Credit <= 1;
			Nf <= '0;
		end
		else begin
			Cr <= cr_nx;
			Credit <= (cr_nx < CRW'(OFD));
			if (take)  Nf <= (32'(Nf) == NF-1)? '0 : Nf + 1'b1;
		end
	end

	//-----------------------------------------------------------------------
	// Stage A: the pair and its thresholds.
	logic  VA;
	logic [PE*U_W-1:0]  UA;
	logic [PE*S_W-1:0]  QA;
	logic [PE*TH_W-1:0]  ThA;

	always_ff @(posedge clk) begin
		if (rst)  VA <= 0;
		else  VA <= take;
	end
	always_ff @(posedge clk) begin
		if (take) begin
			UA <= idat;
			QA <= sdat;
		end
	end

	mem_ram #(
		.DEPTH(NF), .WIDTH(PE*TH_W), .STYLE(0), .WRITE(0), .RD_REG(1),
		.INIT_FILE(THRESH_FILE)
	) inst_thr (
		.clk,
		.we(1'b0), .waddr({BA_W{1'b0}}), .wdat({(PE*TH_W){1'b0}}),
		.re(take), .raddr(Nf), .rdat(ThA)
	);

	// U2 = U + M*s: one shift-add per set bit of M, into the neuron's stage 0 register
	logic [PE*SW-1:0]  u2;
	always_comb begin : blkJoin
		logic [SW-1:0]  acc, sx;
		for (int p = 0; p < PE; p++) begin
			acc = SW'($signed(UA[p*U_W +: U_W]));
			sx = (S_SIGNED != 0)? SW'($signed(QA[p*S_W +: S_W])) : SW'(QA[p*S_W +: S_W]);
			for (int b = 0; b < MB; b++) begin
				if (((M >> b) & 1) != 0)  acc = acc + (sx << b);
			end
			u2[p*SW +: SW] = acc;
		end
	end : blkJoin

	//-----------------------------------------------------------------------
	// Neuron, then the output FIFO.  The pipeline never stalls: a pair is taken only with
	// a credit (Cr < OFD), so the FIFO always has room for every beat in flight.
	logic  n_irdy, n_ovld, f_irdy;
	logic [PE*T-1:0]  n_odat;

	neuron #(
		.PE(PE), .ACC_W(SW), .F(0), .B_W(1), .TH_W(TH_W), .T(T), .OUTPUT(0)
	) inst_neuron (
		.clk, .rst,
		.irdy(n_irdy), .ivld(VA), .idat(u2), .ibias({PE{1'b0}}), .ithr(ThA),
		.ordy(1'b1), .ovld(n_ovld), .odat(n_odat)
	);
	wire  unused_rdy = &{1'b0, n_irdy, f_irdy};   // (never low: the credit keeps room)

	stream_fifo #(
		.WIDTH(PE*T), .DEPTH(OFD)
	) inst_out (
		.clk, .rst,
		.irdy(f_irdy), .ivld(n_ovld), .idat(n_odat),
		.ordy, .ovld, .odat
	);

endmodule : residual_join
