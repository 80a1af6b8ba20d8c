/******************************************************************************
 * @brief   Bench checker: takes a valid/ready stream and scores every beat.
 * @author  e3ne
 *
 * @description
 *  Holds rdy low STALL % of the cycles at random, whatever vld does (plusarg
 *  +BP=<n> overrides), and checks the DUT's side of the handshake rules of
 *  src/e3ne/hw/README.md:
 *   1. a beat counts on a rising edge with vld and rdy high;
 *   2. once vld is high, vld and dat stay put until the transfer;
 *   3. vld and dat do not change when rdy changes: rdy changes at the falling
 *      edge, and vld/dat are sampled before and 1 time unit after.
 *  It also flags X on vld (or on dat while vld), compares every transferred
 *  beat in order with the N expected beats of EXP_FILE ($readmemh), and flags
 *  a spurious beat: vld high while recv >= N, or recv >= avail (the beats
 *  the DUT may show by now, from the bench). Mismatches are printed up to 10;
 *  with GROUP > 0 they name beat i also as (group i / GROUP, beat i % GROUP).
 *  Missing beats are reported by bench_ctl from recv.
 *****************************************************************************/

module stream_sink #(
	parameter int W     = 8,          // bits per beat
	parameter int N     = 1,          // expected beats in FILE
	parameter     FILE  = "exp.mem",  // expected beats, one hex word a line
	parameter int STALL = 30,         // % of cycles rdy is low (or +BP=)
	parameter int GROUP = 0,          // > 0: beats per group, for messages
	parameter     NAME  = "stream_sink"
) (
	input  logic          clk,
	input  logic          rst,
	input  int            cycle,      // bench cycle count, for messages
	output logic          rdy,
	input  logic          vld,
	input  logic [W-1:0]  dat,
	input  int            avail,      // beats the DUT may have produced by now
	output int            recv,       // beats received (transfers that were due)
	output int            first,      // cycle of the first transfer, -1 before
	output int            last,       // cycle of the last transfer, -1 before
	output int            errors
);

	logic [W-1:0]  Exp[0:N-1];
	int  stall = STALL;
	int  Err = 0;    // errors found at rising edges
	int  Err3 = 0;   // rule 3 errors (falling edges)
	int  e;          // errors of this edge
	logic  Hold = 0; // vld && !rdy at the previous edge
	logic [W-1:0]  HoldDat;
	logic  V0;       // rule 3 samples
	logic [W-1:0]  D0;

	initial begin
		rdy    = 0;
		recv   = 0;
		first  = -1;
		last   = -1;
		errors = 0;
		$readmemh(FILE, Exp);
		if ($value$plusargs("BP=%d", stall))  $display("%s: BP %0d", NAME, stall);
	end

	// Rule 3: vld/dat must not react to rdy.
	always @(negedge clk) begin
		V0 = vld;
		D0 = dat;
		rdy = !rst && ($urandom % 100) >= stall;
		#1;
		if (!rst && (vld !== V0 || (V0 && dat !== D0))) begin
			Err3++;
			$display("FAIL %s: cycle %0d: valid/payload changed with ready", NAME, cycle);
		end
	end

	always @(posedge clk) begin
		if (!rst) begin
			e = 0;
			if ($isunknown(vld) || (vld && $isunknown(dat))) begin
				e++;
				$display("FAIL %s: cycle %0d: X on valid/payload", NAME, cycle);
			end
			if (Hold && (vld !== 1 || dat !== HoldDat)) begin
				e++;
				$display("FAIL %s: cycle %0d: valid/payload of beat %0d changed before the transfer",
					NAME, cycle, recv);
			end
			if (vld === 1 && (recv >= N || recv >= avail)) begin
				e++;
				$display("FAIL %s: cycle %0d: spurious beat %h after %0d beats (%0d of %0d due)",
					NAME, cycle, dat, recv, avail < N ? avail : N, N);
			end
			else if (vld && rdy) begin
				if (dat !== Exp[recv]) begin
					e++;
					if (Err < 10) begin
						if (GROUP > 0)
							$display("FAIL %s: beat %0d (group %0d, beat %0d): got %h, expected %h",
								NAME, recv, recv / GROUP, recv % GROUP, dat, Exp[recv]);
						else
							$display("FAIL %s: beat %0d: got %h, expected %h", NAME, recv, dat, Exp[recv]);
					end
				end
				if (recv == 0)  first <= cycle;
				last <= cycle;
				recv <= recv + 1;
			end
			Hold    <= vld && !rdy;
			HoldDat <= dat;
			Err     = Err + e;
			errors  <= Err + Err3;
		end
	end

endmodule : stream_sink
