/******************************************************************************
 * @brief   Valid/ready stream FIFO of any depth with an inferred memory.
 * @author  e3ne
 *
 * @description
 *  Stores up to DEPTH beats of WIDTH bits, first in first out. Any DEPTH >= 1
 *  (not only powers of two). Full throughput: one beat can enter and one beat
 *  leave in the same cycle. Latency: a beat entering an empty FIFO is on odat
 *  in the next cycle (1 cycle).
 *
 *  DEPTH = 1 (genOne): a single output register. To move one beat per cycle it
 *  must refill while it is being emptied, so irdy = !Vld || ordy has a
 *  combinational path from ordy to irdy (handshake rule 4 allows it).
 *
 *  DEPTH >= 2 (genMem): DEPTH-1 entries in a memory Mem (circular buffer,
 *  pointers wrap at DEPTH-1, so no power-of-two rounding) plus one output
 *  stage. The memory has a write port and one registered read port (RdDat),
 *  so synthesis can map it to LUTRAM + FF or to block RAM. A beat arriving
 *  while the memory is empty and the output stage is free bypasses the memory
 *  into the output stage (register BypDat), which keeps the latency at 1 and
 *  the throughput at 1 beat/cycle even for DEPTH = 2; OSel tells which of
 *  the two output registers holds the head beat:
 *
 *      idat ──┬──► Mem[DEPTH-1] ──► RdDat ──┐
 *             └──────────────────► BypDat ──┴─(OSel)──► odat
 *
 *  Here irdy and ovld are registers (Rdy = MCnt != DEPTH-1, OVld): no
 *  combinational path between the two streams. While the FIFO is full, the
 *  input waits one cycle after the output drains a beat; the output side
 *  never loses a cycle. MEmp = (MCnt == 0) is registered as well, so the
 *  count comparators sit behind the flip-flops, not in front of irdy.
 *
 *  Occupancy invariant: MCnt > 0 implies OVld (the output stage is refilled
 *  from the memory first), so the total count is MCnt + OVld <= DEPTH and
 *  MCnt == DEPTH-1 means full.
 *  The memory is never read and written at the same address in one cycle:
 *  reads need MCnt > 0, writes need MCnt < DEPTH-1, and WrPtr == RdPtr only
 *  when MCnt is 0 or DEPTH-1.
 *
 *  STYLE places Mem by a synthesis attribute, as mem_ram.sv does: 0 LUT RAM
 *  (ram_style = "distributed"), 1 block RAM (ram_style = "block"; the registered
 *  read RdDat is the block RAM's output register).
 *
 *  Only control state (OVld, OSel, MCnt, MEmp, Rdy, pointers) is reset; data
 *  registers and the memory are not.
 *****************************************************************************/

module stream_fifo #(
	parameter int WIDTH = 8,  // bits per beat
	parameter int DEPTH = 4,  // capacity in beats, >= 1
	parameter int STYLE = 0   // memory (DEPTH >= 2): 0 LUT RAM, 1 block RAM
)(
	// Global Control
	input	logic  clk,
	input	logic  rst,  // synchronous, active-high

	// Input Stream
	output	logic  irdy,
	input	logic  ivld,
	input	logic [WIDTH-1:0]  idat,

	// Output Stream
	input	logic  ordy,
	output	logic  ovld,
	output	logic [WIDTH-1:0]  odat
);

	initial begin
		if (WIDTH < 1) begin
			$error("%m: WIDTH (%0d) must be at least 1", WIDTH);
			$finish;
		end
		if (DEPTH < 1) begin
			$error("%m: DEPTH (%0d) must be at least 1", DEPTH);
			$finish;
		end
	end

	typedef logic [WIDTH-1:0]  data_t;

	if (DEPTH == 1) begin : genOne

		logic   Vld;
		data_t  Dat;

		assign	irdy = !Vld || ordy;

		always_ff @(posedge clk) begin
			if (rst)  Vld <= 0;
			else if (irdy)  Vld <= ivld;
		end
		always_ff @(posedge clk) begin
			if (ivld && irdy)  Dat <= idat;
		end

		assign	ovld = Vld;
		assign	odat = Dat;

	end : genOne
	else begin : genMem

		localparam int MD   = DEPTH - 1;                 // memory entries
		localparam int AW   = MD > 1 ? $clog2(MD) : 1;   // pointer bits
		localparam int CW   = $clog2(MD + 1);            // count bits (0..MD)

		data_t  RdDat;   // registered read port of Mem
		data_t  BypDat;  // beat that bypassed the empty memory
		logic   OVld;    // output stage holds the head beat
		logic   OSel;    // 1: head in RdDat, 0: head in BypDat
		logic [CW-1:0]  MCnt;   // beats in Mem
		logic           MEmp;   // MCnt == 0
		logic           Rdy;    // MCnt != MD, i.e. not full (MCnt == MD implies OVld)
		logic [AW-1:0]  WrPtr;
		logic [AW-1:0]  RdPtr;

		wire  push  = ivld && irdy;
		wire  ofree = !OVld || ordy;  // output stage free after this edge
		wire  mrd   = ofree && !MEmp; // refill the output stage from Mem
		wire  byp   = ofree && MEmp;  // the input may go straight to the output stage
		wire  mwr   = push && !byp;

		wire [CW-1:0]  cnt_nxt = MCnt + CW'(mwr) - CW'(mrd);
		// The flags without the count's adder and compare in front of them: ofree (the
		// downstream ready, the latest signal here) is chosen last, so ready reaches Rdy
		// and MEmp through one gate (LeNet-5's critical path on ECP5 ran ready -> mrd ->
		// cnt_nxt -> Rdy).  With ofree a beat leaves the memory (or, empty, the input
		// bypasses it): never full next, empty when it held one and nothing is pushed in
		// (the bypass keeps it empty); without, a push adds one.
		wire  one    = (MCnt == CW'(1));
		wire  almost = (MCnt == CW'(MD - 1));
		wire  emp_nxt = ofree ? (MEmp || (!push && one)) : (MEmp && !push);
		wire  rdy_nxt = ofree || (Rdy && !(push && almost));
		wire [AW-1:0]  wr_nxt  = (WrPtr == AW'(MD - 1)) ? '0 : WrPtr + 1'b1;
		wire [AW-1:0]  rd_nxt  = (RdPtr == AW'(MD - 1)) ? '0 : RdPtr + 1'b1;

		assign	irdy = Rdy;

		// memory (its placement fixed by STYLE) and data registers: not reset
		if (STYLE == 1) begin : genBlock
			(* ram_style = "block" *) data_t  Mem[MD];
			always_ff @(posedge clk) begin
				if (mwr)  Mem[WrPtr] <= idat;
				if (mrd)  RdDat <= Mem[RdPtr];
			end
		end : genBlock
		else begin : genDist
			(* ram_style = "distributed" *) data_t  Mem[MD];
			always_ff @(posedge clk) begin
				if (mwr)  Mem[WrPtr] <= idat;
				if (mrd)  RdDat <= Mem[RdPtr];
			end
		end : genDist
		always_ff @(posedge clk) begin
			if (byp && push)  BypDat <= idat;
		end

		// control
		always_ff @(posedge clk) begin
			if (rst) begin
				OVld  <= 0;
				OSel  <= 0;
				MCnt  <= '0;
				MEmp  <= 1;
				Rdy   <= 1;
				WrPtr <= '0;
				RdPtr <= '0;
			end
			else begin
				if (mwr)  WrPtr <= wr_nxt;
				if (mrd)  RdPtr <= rd_nxt;
				MCnt <= cnt_nxt;
				MEmp <= emp_nxt;   // = (cnt_nxt == 0)
				Rdy  <= rdy_nxt;   // = (cnt_nxt != MD)
				if (ofree) begin
					OVld <= mrd || push;
					OSel <= mrd;
				end
			end
		end

		assign	ovld = OVld;
		assign	odat = OSel ? RdDat : BypDat;

	end : genMem

endmodule : stream_fifo
