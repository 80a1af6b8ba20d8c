/******************************************************************************
 * @brief   Argmax over the output layer's scores, with the scores passed on.
 * @author  e3ne
 *
 * @description
 *  Input: per image, the N_CLASSES signed scores U_0 .. U_{N_CLASSES-1}
 *  (SCORE_W-bit two's complement) as BEATS = N_CLASSES/LANES beats of LANES
 *  lanes; lane j of beat i is class i*LANES + j at idat[j*SCORE_W +: SCORE_W].
 *  The stream carries no framing: every BEATS beats form one image.
 *
 *  Output: per image, BEATS + 1 beats of the same width (LANES*SCORE_W):
 *    - beats 0 .. BEATS-1: the score beats, unchanged, with olast = 0;
 *    - beat BEATS, the class beat: odat = the class index
 *          y = argmax_c U_c   (the lowest c among equal maxima, DESIGN.md §2)
 *      zero-extended from CW = max(1, clog2(N_CLASSES)) bits, with olast = 1.
 *  A top level can forward olast as m_axis_tlast (scores, then class).
 *
 *  Within a beat, a binary tree (blkTree) of strict comparisons finds the
 *  maximum lane; at a tie the left (lower) lane wins, and lanes padded up
 *  to a power of two hold the most negative value to the right of every
 *  real lane, so they never win. Across beats the running maximum (Best,
 *  BestIdx) is replaced only by a strictly greater beat maximum, so an
 *  earlier beat wins a tie. Together: the lowest index among the maxima.
 *  The class index of a beat's winner is Base + lane, where Base = i*LANES
 *  is kept as a running sum (no multiplier).
 *
 *  Timing: score beats pass through one register (latency 1). After the
 *  last score beat of an image the input pauses for one cycle while the
 *  class beat is emitted, so an image takes BEATS + 1 cycles (II) at full
 *  rate. irdy depends combinationally on ordy; ovld/odat/olast come from
 *  registers. Only control state (OVld, Pend, Base) is reset.
 *****************************************************************************/

module argmax_unit #(
	parameter int N_CLASSES = 10,  // scores per image
	parameter int LANES     = 2,   // scores per beat, divides N_CLASSES
	parameter int SCORE_W   = 16   // bits per signed score
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream: scores
	output	logic  irdy,
	input	logic  ivld,
	input	logic [LANES*SCORE_W-1:0]  idat,

	// Output Stream: scores, then the class index
	input	logic  ordy,
	output	logic  ovld,
	output	logic [LANES*SCORE_W-1:0]  odat,
	output	logic  olast  // 1 on the class beat
);

	localparam int DW    = LANES * SCORE_W;                     // beat bits
	localparam int BEATS = LANES > 0 ? N_CLASSES / LANES : 1;   // beats per image
	localparam int CW    = N_CLASSES > 1 ? $clog2(N_CLASSES) : 1;  // class index bits
	localparam int LW    = LANES > 1 ? $clog2(LANES) : 1;       // lane index bits
	localparam int LV    = $clog2(LANES);                       // tree levels
	localparam int P2    = 1 << LV;                             // lanes padded

	initial begin
		if (N_CLASSES < 1 || LANES < 1 || SCORE_W < 2) begin
			$error("%m: N_CLASSES (%0d) and LANES (%0d) must be >= 1, SCORE_W (%0d) >= 2",
				N_CLASSES, LANES, SCORE_W);
			$finish;
		end
		if (N_CLASSES % LANES != 0) begin
			$error("%m: LANES (%0d) does not divide N_CLASSES (%0d)", LANES, N_CLASSES);
			$finish;
		end
		if (DW < CW) begin
			$error("%m: the class index needs %0d bits, more than a beat of LANES*SCORE_W = %0d",
				CW, DW);
			$finish;
		end
	end

	typedef logic signed [SCORE_W-1:0]  score_t;

	//-------------------------------------------------------------------------
	// Maximum lane of the input beat
	score_t          bmax;  // its score
	logic [LW-1:0]   bidx;  // its lane
	score_t          tv[P2];
	logic [LW-1:0]   ti[P2];

	always_comb begin : blkTree
		for (int i = 0; i < P2; i++) begin
			if (i < LANES)  tv[i] = idat[i*SCORE_W +: SCORE_W];
			else            tv[i] = {1'b1, {(SCORE_W-1){1'b0}}};
			ti[i] = LW'(i);
		end
		for (int l = 0; l < LV; l++) begin
			// level l: P2 >> (l+1) nodes, node i from 2i (left) and 2i+1 (right)
			// (in place: node i overwrites slot i after slots 2i, 2i+1 were read)
			for (int i = 0; i < P2 / 2; i++) begin
				if (i < (P2 >> (l + 1))) begin
					if (tv[2*i+1] > tv[2*i]) begin
						tv[i] = tv[2*i+1];
						ti[i] = ti[2*i+1];
					end
					else begin
						tv[i] = tv[2*i];
						ti[i] = ti[2*i];
					end
				end
			end
		end
		bmax = tv[0];
		bidx = ti[0];
	end : blkTree

	//-------------------------------------------------------------------------
	// Running maximum and output
	score_t          Best;
	logic [CW-1:0]   BestIdx;
	logic [CW-1:0]   Base;   // class index of lane 0 of the current beat
	logic            Pend;   // class beat waiting for the output register
	logic            OVld;
	logic            OLast;
	logic [DW-1:0]   ODat;

	wire  fst  = (Base == '0);
	wire  lst  = (Base == CW'((BEATS - 1) * LANES));
	wire  ofree = !OVld || ordy;
	wire  take = ivld && irdy;

	assign	irdy = !Pend && ofree;

	always_ff @(posedge clk) begin
		if (take && (fst || (bmax > Best))) begin
			Best    <= bmax;
			BestIdx <= Base + CW'(bidx);
		end
		if (ofree) begin
			if (Pend) begin
				ODat  <= DW'(BestIdx);
				OLast <= 1;
			end
			else begin
				ODat  <= idat;
				OLast <= 0;
			end
		end
	end

	always_ff @(posedge clk) begin
		if (rst) begin
			Base <= '0;
			Pend <= 0;
			OVld <= 0;
		end
		else begin
			if (take)  Base <= lst ? '0 : Base + CW'(LANES);
			if (ofree) begin
				OVld <= Pend || ivld;
				Pend <= take && lst;
			end
		end
	end

	assign	ovld  = OVld;
	assign	odat  = ODat;
	assign	olast = OLast;

endmodule : argmax_unit
