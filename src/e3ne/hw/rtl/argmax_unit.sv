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
 *  Built for a clock: a beat's lanes are compared one per cycle from a shift
 *  register (Sh) against the running maximum (Best, BestIdx), so one compare of
 *  SCORE_W bits stands between two registers (a tree over the lanes of a beat
 *  was 60 logic levels on an ECP5, from the engine's FIFO to Best). The running
 *  maximum is replaced only by a strictly greater lane, so the lowest class index
 *  among equal maxima wins. The class index of lane 0 of Sh is kept as a running
 *  count (no multiplier).
 *
 *  Timing: score beats pass through one register (latency 1); a beat is taken
 *  at most every LANES cycles (its lanes leave the shift register one a cycle).
 *  The class beat leaves LANES + 1 cycles after the last score beat is taken,
 *  and the next image's first beat is taken one cycle after that: an image
 *  takes N_CLASSES + 2 cycles at full rate. irdy, ovld, odat and olast come
 *  from registers: a skid register behind the output register takes the beat
 *  made while ordy is low, so ordy (a top level's m_axis_tready) reaches no
 *  logic but the two registers. Only control state is reset.
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
	// Lanes of the last beat taken, compared one per cycle with the running maximum
	logic [DW-1:0]   Sh;      // lanes not yet compared, the next in lane 0
	logic [LW:0]     Cnt;     // lanes left in Sh
	logic [CW-1:0]   Idx;     // class index of lane 0 of Sh
	score_t          Best;
	logic [CW-1:0]   BestIdx;
	logic [CW-1:0]   Base;    // class index of lane 0 of the next beat taken
	logic            Pend;    // the image's last beat is taken; its class beat is due
	logic            OVld;
	logic            OLast;
	logic [DW-1:0]   ODat;

	score_t          lane;
	assign	lane = Sh[SCORE_W-1:0];

	// Output skid: a beat is made whenever the skid register is empty (ofree, a
	// register); the output register takes it, or the skid register while ordy is low
	logic            SkV;
	logic            SkLast;
	logic [DW-1:0]   SkDat;
	logic            NLast;   // the beat made in this cycle
	logic [DW-1:0]   NDat;

	wire  lst   = (Base == CW'((BEATS - 1) * LANES));
	wire  ofree = !SkV;
	wire  omove = !OVld || ordy;        // the output register takes a beat
	wire  made  = ofree && (done || take);
	wire  free  = (Cnt <= (LW+1)'(1));   // Sh can load a beat at this edge
	wire  done  = Pend && (Cnt == '0);   // every lane of the image compared
	wire  take  = ivld && irdy;

	assign	irdy = !Pend && ofree && free;

	always_ff @(posedge clk) begin
		if (Cnt != '0 && (Idx == '0 || lane > Best)) begin
			Best    <= lane;
			BestIdx <= Idx;
		end
		if (take) begin
			Sh  <= idat;
			Idx <= Base;
		end
		else begin
			Sh  <= Sh >> SCORE_W;
			Idx <= Idx + CW'(1);
		end
		if (omove) begin
			ODat  <= SkV ? SkDat : NDat;
			OLast <= SkV ? SkLast : NLast;
		end
		else if (made) begin
			SkDat  <= NDat;
			SkLast <= NLast;
		end
	end
	always_comb begin
		NDat  = done ? DW'(BestIdx) : idat;
		NLast = done;
	end

	always_ff @(posedge clk) begin
		if (rst) begin
			Base <= '0;
			Cnt  <= '0;
			Pend <= 0;
			OVld <= 0;
			SkV  <= 0;
		end
		else begin
			if (take)  Base <= lst ? '0 : Base + CW'(LANES);
			if (take)  Cnt <= (LW+1)'(LANES);
			else if (Cnt != '0)  Cnt <= Cnt - (LW+1)'(1);
			if (take && lst)  Pend <= 1;
			else if (done && ofree)  Pend <= 0;
			if (omove)  OVld <= SkV || made;
			if (omove)  SkV <= 0;
			else if (made)  SkV <= 1;
		end
	end

	assign	ovld  = OVld;
	assign	odat  = ODat;
	assign	olast = OLast;

endmodule : argmax_unit
